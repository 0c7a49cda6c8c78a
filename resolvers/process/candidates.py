"""A person's records in the customer systems that share no key with them, found when asked.

``resolve_matches`` derives blocking keys from the records in hand (email,
phone, postcode, Soundex or written surname of both names, date of birth), asks
each customer system only the searches it declares, and keeps the answers that
``matching.score`` puts at or above the match threshold. Every person of the
request asks in the same wait, so it costs one request per search per system
however many customers are shown; nothing is asked unless a field needs it
(``Customer.identities``, ``Customer.dataQuality``).

``search_people`` is the same search from what a caller knows (a name, a
postcode, a street): ranked people, each with how well they fit.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence

from resolvers.process.blocking import blocking_keys
from resolvers.process.data_quality import Conflict, conflicts
from resolvers.process.errors import InvalidLookup
from resolvers.process.identity import Candidate, Match, Person, people_of
from resolvers.process.matching import (
    DEFAULT_SETTINGS,
    Comparable,
    MatchScore,
    MatchSettings,
    comparable,
    score,
    settings_of,
)
from resolvers.system.customer_loaders import CustomerLoaders
from resolvers.system.records import CustomerProfile

MAX_SEARCH_RESULTS = 20
MAX_SEARCH_TEXT = 200
"""A name, postcode or street longer than this is no search anyone typed."""


async def _search(
    loaders: CustomerLoaders, wanted: Sequence[Sequence[CustomerProfile]]
) -> list[dict[tuple[str, str], CustomerProfile]]:
    """Per group of records, every record the customer systems' searches find for them.

    One wait for all groups; a failed system raises its failure (the field
    asking is the one that costs).
    """
    profiles = loaders.profiles
    asks: list[tuple[int, str, str, str]] = []
    for index, records in enumerate(wanted):
        for system, kinds in profiles.lookups_by_system().items():
            for kind, values in blocking_keys(records, kinds).items():
                asks.extend((index, system, kind, value) for value in values)
    answers = await profiles.load_from([(system, kind, value) for _, system, kind, value in asks])
    found: list[dict[tuple[str, str], CustomerProfile]] = [{} for _ in wanted]
    for (index, *_), answer in zip(asks, answers, strict=True):
        if isinstance(answer, BaseException):
            raise answer
        for profile in answer:
            found[index].setdefault((profile.source, profile.id), profile)
    return found


async def resolve_matches(
    loaders: CustomerLoaders, people: Sequence[Person], settings: MatchSettings | None = None
) -> None:
    """Fills ``Person.matches`` of each person not yet resolved (one wait for all of them)."""
    todo = [person for person in people if person.matches is None]
    if not todo:
        return
    settings = settings or settings_of(loaders)
    found = await _search(loaders, [person.profiles for person in todo])
    for person, candidates in zip(todo, found, strict=True):
        if person.matches is None:  # another field of the request may have got there first
            matches = matches_among(person.profiles, candidates.values(), settings)
            object.__setattr__(person, "matches", matches)


def matches_among(
    own: Sequence[CustomerProfile],
    candidates: Iterable[CustomerProfile],
    settings: MatchSettings = DEFAULT_SETTINGS,
    prepared: MutableMapping[CustomerProfile, Comparable] | None = None,
) -> list[Match]:
    """The candidates that are the person ``own`` are (best first): pure, no I/O.

    Each candidate is scored against each of the person's records; the best
    score counts. Records among ``own`` are not candidates of themselves.
    ``prepared`` keeps each record's comparable form between calls (a batch job's).
    """
    mine = [comparable(p, settings) for p in own]
    known = {(p.source, p.id) for p in own}
    matches = []
    for profile in candidates:
        if (profile.source, profile.id) in known:
            continue
        theirs = prepared.get(profile) if prepared is not None else None
        if theirs is None:
            theirs = comparable(profile, settings)
            if prepared is not None:
                prepared[profile] = theirs
        best = max((score(m, theirs) for m in mine), key=_confidence)
        if best.is_match(settings):
            matches.append(Match(profile, best))
    matches.sort(key=lambda m: (-m.score.confidence, m.profile.source, m.profile.id))
    return matches


def _confidence(found: MatchScore) -> float:
    return found.confidence


async def data_quality_of(
    loaders: CustomerLoaders,
    person: Person,
    include_format_only: bool = False,
    settings: MatchSettings | None = None,
) -> list[Conflict]:
    """Where this person's records in every customer system disagree (after matching them)."""
    settings = settings or settings_of(loaders)
    await resolve_matches(loaders, [person], settings)
    return conflicts(person.records, include_format_only=include_format_only, settings=settings)


async def search_people(
    loaders: CustomerLoaders,
    name: str | None = None,
    postcode: str | None = None,
    address: str | None = None,
    settings: MatchSettings | None = None,
) -> list[Candidate]:
    """People who fit a name and a postcode or street, best first, with how well they fit.

    Two records that are one person (by ``matching.score``) are one result. Two
    people who fit equally well are both listed with the same confidence: a
    search never picks one of them for the caller.
    """
    for argument, text in (("name", name), ("postcode", postcode), ("address", address)):
        if text is not None and (not text.strip() or len(text) > MAX_SEARCH_TEXT):
            raise InvalidLookup(argument, text)
    if name is None or (postcode is None and address is None):
        raise InvalidLookup("search", None, hint="give a name and a postcode or an address")
    settings = settings or settings_of(loaders)
    words = name.split()
    wanted = CustomerProfile(
        source="search",
        id="",
        first_name=" ".join(words[:-1]) or None,
        last_name=words[-1],
        street=address,
        postal_code=postcode,
    )
    (found,) = await _search(loaders, [[wanted]])
    asked = comparable(wanted, settings)
    fits = []
    for profile in found.values():
        fit = _fit(asked, profile, settings)
        if fit.confidence >= settings.candidate_threshold:
            fits.append((profile, fit))
    fits.sort(key=lambda pf: (-pf[1].confidence, pf[0].source, pf[0].id))
    results: list[Candidate] = []
    taken: set[tuple[str, str]] = set()
    for profile, fit in fits:
        if (profile.source, profile.id) in taken:
            continue
        same = [p for p, _ in fits if (p.source, p.id) not in taken and _one(profile, p, settings)]
        taken.update((p.source, p.id) for p in same)
        person = people_of(same, "search")
        if person is not None:
            results.append(Candidate(person, round(fit.confidence, 4), fit.matched_on))
        if len(results) == MAX_SEARCH_RESULTS:
            break
    return results


def _one(a: CustomerProfile, b: CustomerProfile, settings: MatchSettings) -> bool:
    return a == b or score(comparable(a, settings), comparable(b, settings)).is_match(settings)


SEARCH_WEIGHTS = {"name": 7.0, "nameSwapped": 7.0, "address": 4.0, "postcode": 1.0}


def _fit(asked: Comparable, profile: CustomerProfile, settings: MatchSettings) -> MatchScore:
    """How well a record fits what was asked: the evidence found over the most there could be.

    Only what was asked counts (a search has no email or birthday to compare), so
    a record that agrees on everything asked fits 1.0.
    """
    found = score(asked, comparable(profile, settings))
    most = SEARCH_WEIGHTS["name"] + (
        SEARCH_WEIGHTS["address"] if asked.street else SEARCH_WEIGHTS["postcode"]
    )
    got = sum(SEARCH_WEIGHTS.get(e, 0.0) for e in found.matched_on)
    got -= 4.0 * len(found.contradicted_by)
    return MatchScore(max(0.0, min(1.0, got / most)), found.matched_on, found.contradicted_by)
