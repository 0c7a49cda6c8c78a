"""Identity resolution: who is this caller, and which records in which systems are theirs.

A lookup by phone or email asks every customer system (CRM) that can answer it;
an id is the first customer system's, or ``<system>:<id>`` for another's. The
records found are one person unless they contradict each other (a household
shares a phone, not a given name or a birthday: ``matching.contradicts``); when
they split into several people, the best supported is answered with its
confidence and the others are its ``candidates``. The oldest record is primary,
and its identifiers reach every other system.

Records in other customer systems that share no key are found only when asked
(``resolve_matches``: ``Customer.identities``, ``Customer.dataQuality``): the
person's blocking keys go to each customer system's searches, one request per
search per system for the whole request, and the answers are scored by
``matching.score``; those at or above the match threshold are the same person.

Links (``links:`` in the source config) add the ids a person's records hold for
other systems: those systems are asked by them first, ``Customer.identities``
lists them, and ``customer(id: "orders:oc-17")`` finds the contact holding one.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from resolvers.process.errors import InvalidLookup
from resolvers.process.matching import (
    Comparable,
    MatchScore,
    contradicts,
    told_apart,
)
from resolvers.system.by_customer import CustomerKeys
from resolvers.system.customer_loaders import Ahead, CustomerLoaders
from resolvers.system.links import follow_links
from resolvers.system.loaders import normalize_lookup
from resolvers.system.records import CrossReference, CustomerProfile
from sources.config import LINKED_BY

CONFIDENCE = {"id": 1.0, "email": 0.95, "phone": 0.9}
LINK_CONFIDENCE = 1.0
"""A cross-reference id a source itself holds is as sure as the record holding it."""

SYSTEM_ID_SEPARATOR = ":"
"""``<system>:<id>``: a customer by another system's id (``orders:oc-17``)."""


class UnlinkedSystem(InvalidLookup):
    """An id of a system that no customer system can be searched by."""

    def __init__(self, system: str, why: str) -> None:
        ValueError.__init__(self, f"ids of '{system}' cannot be looked up: {why}")
        self.kind = "id"


@dataclass(slots=True, frozen=True)
class Identity:
    system: str
    record_id: str
    matched_on: str
    confidence: float
    evidence: tuple[str, ...] = ()
    """Every piece of evidence, strongest first (``matched_on`` alone for a lookup or a link)."""


@dataclass(slots=True, frozen=True)
class Match:
    """A record of another customer system that is this person by weighed evidence."""

    profile: CustomerProfile
    score: MatchScore


@dataclass(slots=True, frozen=True)
class Person:
    """One customer as the gateway sees them: the primary profile and every record that matched."""

    primary: CustomerProfile
    profiles: tuple[CustomerProfile, ...]
    matched_on: str
    keys: CustomerKeys = field(init=False, compare=False)
    """Identifiers to reach other systems with, in order of preference (made once per person:
    the request's loaders remember answers by it)."""
    chained: list[CrossReference] = field(default_factory=list, compare=False, repr=False)
    """Links found past the customer system (CRM → billing → ledger), by ``follow_links``."""
    confidence: float | None = None
    """How sure the lookup is that this is the person it meant (None: the lookup kind's)."""
    candidates: list[Candidate] = field(default_factory=list, compare=False, repr=False)
    """Other people the same lookup found (a household's shared phone), most likely first."""
    matches: list[Match] | None = field(default=None, compare=False, repr=False)
    """Records found by blocking and scoring (``resolve_matches``); None until then."""

    def __post_init__(self) -> None:
        p = self.primary
        keys = {
            "email": p.email,
            "phone": p.phone,
            "handle": p.twitter_handle,
            "location": (p.latitude, p.longitude),
        }
        links: dict[str, list[str]] = {}
        for profile in self.profiles:  # the primary first
            for ref in profile.links:
                ids = links.setdefault(ref.system, [])
                if ref.record_id not in ids:
                    ids.append(ref.record_id)
        object.__setattr__(self, "keys", CustomerKeys(keys, links))

    @property
    def lookup_confidence(self) -> float:
        """How sure the lookup is that this is the person asked for."""
        if self.confidence is not None:
            return self.confidence
        if self.matched_on.startswith(LINKED_BY):
            return LINK_CONFIDENCE
        return CONFIDENCE.get(self.matched_on, 0.8)

    @property
    def ambiguous(self) -> bool:
        """Whether another person the lookup found is as likely as this one (``tied``)."""
        return self.candidates_tied[0]

    @property
    def candidates_tied(self) -> list[bool]:
        """This person, then each candidate: whether another of them is as likely."""
        return tied([self.lookup_confidence, *(c.confidence for c in self.candidates)])

    @property
    def records(self) -> tuple[CustomerProfile, ...]:
        """Every customer-system record of this person: the lookup's, then the matched ones."""
        return (*self.profiles, *(m.profile for m in self.matches or ()))

    @property
    def identities(self) -> tuple[Identity, ...]:
        """The customer-system records that matched, then every id a link gave (once each)."""
        confidence = self.lookup_confidence
        kind = self.matched_on
        found = [Identity(p.source, p.id, kind, confidence, (kind,)) for p in self.profiles]
        for match in self.matches or ():
            evidence = match.score.matched_on
            found.append(
                Identity(
                    match.profile.source,
                    match.profile.id,
                    "+".join(evidence),
                    round(match.score.confidence, 4),
                    evidence,
                )
            )
        seen = {(i.system, i.record_id) for i in found}
        refs = [ref for p in self.records for ref in p.links]
        for ref in (*refs, *self.chained):
            if (ref.system, ref.record_id) not in seen:
                seen.add((ref.system, ref.record_id))
                found.append(
                    Identity(
                        ref.system, ref.record_id, ref.evidence, LINK_CONFIDENCE, (ref.evidence,)
                    )
                )
        return tuple(found)


@dataclass(slots=True, frozen=True)
class Candidate:
    """Someone else a lookup or a search found, and how likely they are the one meant."""

    person: Person
    confidence: float
    evidence: tuple[str, ...] = ()


def tied(confidences: Sequence[float]) -> list[bool]:
    """Per confidence, whether another is the same: people nothing told apart.

    A lookup or a search that found two equally likely people lists both with
    the same confidence and says so; which of them is first means nothing.
    """
    counts = Counter(confidences)
    return [counts[c] > 1 for c in confidences]


def lookup_of(loaders: CustomerLoaders, kind: str, value: str) -> tuple[str, str]:
    """The lookup an argument means: ``("id", "orders:oc-17")`` is ``("link:orders", "oc-17")``.

    Only a prefix that names a configured source is a system: an id of the CRM's
    own that holds a colon keeps meaning the CRM's id. ``crm:C-1`` (a customer
    system's own name) is its plain id.
    """
    if kind != "id":
        return kind, value
    system, separator, own = value.partition(SYSTEM_ID_SEPARATOR)
    profiles = loaders.profiles
    if not separator or not own or not profiles.declares(system):
        return kind, value
    if profiles.is_customer_system(system):
        return "id", own
    linked_by = f"{LINKED_BY}{system}"
    if not profiles.can_look_up(linked_by):
        raise UnlinkedSystem(
            system,
            f"no customer system declares a '{linked_by}' lookup "
            f"(a search by the field its links.{system} names)",
        )
    return linked_by, own


def _customer_system_of(loaders: CustomerLoaders, kind: str, value: str) -> str | None:
    """The one customer system a ``<system>:<id>`` is asked of; None to ask every one.

    A plain id may be any customer system's (ids of two systems rarely look alike,
    and the file's order is no ranking), so it is asked of each that declares ids.
    """
    if kind != "id":
        return None
    system, separator, own = value.partition(SYSTEM_ID_SEPARATOR)
    if not separator or not own:
        return None
    systems = [s for s, kinds in loaders.profiles.lookups_by_system().items() if "id" in kinds]
    return system if len(systems) > 1 and system in systems else None


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def _checked(argument: str, lookup: str, value: str, key: str) -> None:
    """A value that cannot be what ``argument`` asks for is the caller's error, naming it.

    An email needs a local part, one ``@`` and a dotted domain: ``ann@`` is no
    mailbox, and asking every customer system for it would be a silent miss.
    """
    if normalize_lookup(lookup, key) is None:
        raise InvalidLookup(argument, value)
    if argument == "email" and _EMAIL.fullmatch(value.strip()) is None:
        raise InvalidLookup(argument, value)


async def _load(
    loaders: CustomerLoaders, lookups: Sequence[tuple[str | None, str, str]]
) -> list[list[CustomerProfile]]:
    """Per ``(system, or None for every one, kind, key)``, its profiles; one wait for all.

    A customer system that failed costs only its own records when another found
    the person (the agent still sees the caller when the contact book is down;
    ``identities`` then reports that system's failure). The first lookup, in
    order, that found nobody while a system failed raises that failure.

    An answer remembered from an earlier request (``identity.cache_ttl_s``) is
    used as it is, and no customer system is asked for it; an answer that every
    asked system gave whole, and that found someone, is remembered.
    """
    cache = loaders.profiles.remembered
    if cache is None:
        return await _ask(loaders, lookups)
    keys = [_cache_key(lookup) for lookup in lookups]
    kept = [cache.get(key) for key in keys]
    missing = [i for i, answer in enumerate(kept) if answer is None]
    asked = await _ask(loaders, [lookups[i] for i in missing], remember=[keys[i] for i in missing])
    found = [list(answer) if answer is not None else [] for answer in kept]
    for index, records in zip(missing, asked, strict=True):
        found[index] = records
    return found


def _cache_key(lookup: tuple[str | None, str, str]) -> tuple[str, str, str]:
    """The lookup as the cache knows it: every spelling of one phone or email is one entry."""
    system, kind, key = lookup
    return (system or "", kind, normalize_lookup(kind, key) or key)


async def _ask(
    loaders: CustomerLoaders,
    lookups: Sequence[tuple[str | None, str, str]],
    remember: Sequence[tuple[str, str, str]] = (),
) -> list[list[CustomerProfile]]:
    """``_load`` without the cache: the customer systems' answers, whole ones kept by
    ``remember`` (the cache key of each lookup, in order)."""
    if not lookups:
        return []
    profiles = loaders.profiles
    answers: list[list[list[CustomerProfile] | BaseException]]
    if all(system is None for system, _, _ in lookups):
        pending = [profiles.system.futures("customer", kind, key) for _, kind, key in lookups]
        await asyncio.gather(*(f for futures in pending for f in futures), return_exceptions=True)
        answers = [[f.exception() or f.result() for f in futures] for futures in pending]
    else:
        offered = profiles.lookups_by_system()
        asked = [
            (index, system, kind, key)
            for index, (only, kind, key) in enumerate(lookups)
            for system in ([only] if only is not None else offered)
            if kind in offered.get(system, ())
        ]
        loaded = await profiles.load_from([(s, kind, key) for _, s, kind, key in asked])
        answers = [[] for _ in lookups]
        for (index, *_), answer in zip(asked, loaded, strict=True):
            answers[index].append(answer)
    found: list[list[CustomerProfile]] = []
    cache = profiles.remembered if remember else None
    for index, per_system in enumerate(answers):
        records = [p for a in per_system if not isinstance(a, BaseException) for p in a]
        failed = [a for a in per_system if isinstance(a, BaseException)]
        if failed and not records:
            raise failed[0]
        if cache is not None and not failed:
            cache.put(remember[index], records)
        found.append(records)
    return found


async def find_person(
    loaders: CustomerLoaders, kind: str, value: str, reads: Collection[Ahead] = ()
) -> Person | None:
    """The person whose ``kind`` (id, phone or email) is ``value``; None if nobody is.

    An id may be another system's, as ``<system>:<id>`` (``lookup_of``). When the
    records found are several people, the best supported is answered, the others
    are its ``candidates``. What the caller will read of them (``reads``) is loaded
    ahead in one more wait.
    """
    lookup, key = lookup_of(loaders, kind, value)
    _checked(kind, lookup, value, key)
    system = _customer_system_of(loaders, lookup, value)
    (found,) = await _load(loaders, [(system, lookup, key)])
    person = people_of(found, lookup)
    if person is not None:
        await _follow(loaders, [person])
    if reads and person is not None:
        await loaders.load_ahead(reads, [person.keys])
    return person


async def find_people(
    loaders: CustomerLoaders, ids: list[str], reads: Collection[Ahead] = ()
) -> list[Person | None]:
    """One entry per id, in order; unknown ids are None. One request per customer system.

    The first id, in order, whose customer system failed raises that failure.
    What the caller will read of every person (``reads``) is loaded ahead for
    all of them in one more wait, so those reads answer at once.
    """
    lookups = [lookup_of(loaders, "id", value) for value in ids]
    for (kind, key), value in zip(lookups, ids, strict=True):
        if normalize_lookup(kind, key) is None:
            raise InvalidLookup("id", value)
    asked = [
        (_customer_system_of(loaders, kind, value), kind, key)
        for (kind, key), value in zip(lookups, ids, strict=True)
    ]
    found = await _load(loaders, asked)
    kinds = [kind for kind, _ in lookups]
    people = [people_of(p, kind) for p, kind in zip(found, kinds, strict=True)]
    await _follow(loaders, [p for p in people if p is not None])
    keys = [p.keys for p in people if p is not None]
    if reads and keys:
        await loaders.load_ahead(reads, keys)
    return people


async def _follow(loaders: CustomerLoaders, people: Sequence[Person]) -> None:
    """Adds the links past the customer system to each person (no wait when none chain)."""
    if not any(p.keys.links for p in people):
        return
    chained = await follow_links(loaders.profiles.system, [p.keys for p in people])
    for person, refs in zip(people, chained, strict=True):
        person.chained.extend(refs)


def people_of(profiles: Sequence[CustomerProfile], matched_on: str) -> Person | None:
    """The person ``profiles`` (a lookup's answer) are; None for none.

    Records that share the key are one person unless two contradict each other
    (another given name or birthday on a shared phone): then each group is a
    person, the largest (the oldest record first among equals) is answered and
    the others are its candidates, each with its share of the lookup's confidence.
    """
    if len(profiles) == 1:  # one record is one person: nothing to compare it with
        return Person(profiles[0], (profiles[0],), matched_on)
    groups: list[list[tuple[CustomerProfile, Comparable]]] = []
    for profile in sorted(profiles, key=_age):
        mine = told_apart(profile)
        for group in groups:
            if not any(contradicts(mine, theirs) for _, theirs in group):
                group.append((profile, mine))
                break
        else:
            groups.append([(profile, mine)])
    if not groups:
        return None
    groups.sort(key=len, reverse=True)  # stable: the oldest record's group first among equals
    if len(groups) == 1:
        return Person(groups[0][0][0], tuple(p for p, _ in groups[0]), matched_on)
    total = sum(len(group) for group in groups)
    base = Person(groups[0][0][0], (), matched_on).lookup_confidence
    people = [
        Person(
            group[0][0],
            tuple(p for p, _ in group),
            matched_on,
            confidence=round(base * len(group) / total, 4),
        )
        for group in groups
    ]
    best = people[0]
    best.candidates.extend(Candidate(p, p.lookup_confidence, (matched_on,)) for p in people[1:])
    return best


def _age(profile: CustomerProfile) -> tuple[bool, float, str]:
    """Oldest first (it is the primary); records without a creation time last."""
    created = profile.created_at.timestamp() if profile.created_at is not None else 0.0
    return (profile.created_at is None, created, profile.id)
