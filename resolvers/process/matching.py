"""Are two customer-system records the same person? Deterministic rules, then weighed evidence.

The rule, in order:

1. A cross-reference one record holds to the other (``links``) is the same person
   (confidence 1.0): the source itself says so.
2. Otherwise every comparison adds evidence, as log-odds: a shared email
   (case and spaces ignored, ``+tag`` ignored when ``plus_addressing`` is on), a
   shared E.164 phone, name similarity (Jaro-Winkler per name, given and family
   also tried swapped), the date of birth, the address after abbreviations and
   case are ironed out. A different given name or date of birth counts strongly
   against. The sum plus a prior (two records are rarely the same person by
   chance) is the confidence, through the logistic function.
3. A pair at or above ``match_threshold`` is one person.

So a shared household phone (same phone, family name and address, another given
name and birth date) or a common name (same names, nothing else) never reaches the
threshold. Pure functions: no I/O, nothing cached across calls but ``Comparable``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rapidfuzz.distance import OSA, JaroWinkler

from resolvers.process.addresses import house_number, plain_text, postcode_key, street_key
from resolvers.system.records import CustomerProfile
from sources.keys import normalize_email, normalize_phone

if TYPE_CHECKING:
    from resolvers.system.customer_loaders import CustomerLoaders


@dataclass(slots=True, frozen=True)
class MatchSettings:
    """How sure is sure enough (``identity:`` in the source config); defaults measured on
    bench/identity.py's labelled set."""

    match_threshold: float = 0.9
    """A pair at or above this confidence is one person."""
    candidate_threshold: float = 0.5
    """At or above this (and below the match threshold) a record is worth showing as a candidate."""
    plus_addressing: bool = True
    """``ann+shop@x.com`` is ``ann@x.com`` (most mail providers deliver both to one box)."""
    default_region: str = "US"
    """Where a phone written without a country code is."""


DEFAULT_SETTINGS = MatchSettings()


def settings_of(loaders: CustomerLoaders) -> MatchSettings:
    """The request's matching settings: the source config's ``identity:`` section."""
    section = loaders.profiles.identity_matching()
    return MatchSettings(
        section.match_threshold,
        section.candidate_threshold,
        section.plus_addressing,
        section.default_region,
    )


PRIOR = -9.0
"""Log-odds that two records are one person before any evidence (about 1 in 8,000)."""

SAME, TYPO, DIFFERENT = 0.97, 0.88, 0.75
"""Jaro-Winkler cut-offs: the same name, a slip of the keyboard, clearly another name."""


@dataclass(slots=True, frozen=True)
class Comparable:
    """One record's fields in the forms compared (built once per record)."""

    source: str
    id: str
    given: str
    family: str
    email: str
    email_box: str
    phone: str
    street: str
    house: str
    postcode: str
    birth_date: date | None
    refs: frozenset[tuple[str, str]]
    national_id: str = ""
    """Its digits only: ``123-45-6789`` and ``123456789`` are one id."""


def comparable(profile: CustomerProfile, settings: MatchSettings = DEFAULT_SETTINGS) -> Comparable:
    """``profile`` in the forms ``score`` compares."""
    email = normalize_email(profile.email) if profile.email else None
    phone = normalize_phone(profile.phone, settings.default_region) if profile.phone else None
    return _comparable(
        profile,
        email=email or "",
        email_box=_mailbox(email, settings) if email else "",
        phone=phone or "",
        street=street_key(profile.street),
        house=house_number(profile.street),
        postcode=postcode_key(profile.postal_code),
    )


def told_apart(profile: CustomerProfile) -> Comparable:
    """``profile`` in the forms ``contradicts`` reads (names, birthday, national id, links).

    A lookup's records are only told apart, not scored: their emails, phones and
    addresses are left unparsed (empty) as ``contradicts`` never weighs them.
    """
    return _comparable(profile)


def _comparable(
    profile: CustomerProfile,
    *,
    email: str = "",
    email_box: str = "",
    phone: str = "",
    street: str = "",
    house: str = "",
    postcode: str = "",
) -> Comparable:
    """The forms every comparison reads, with the contact and address keys given."""
    return Comparable(
        source=profile.source,
        id=profile.id,
        given=plain_text(profile.first_name),
        family=plain_text(profile.last_name),
        email=email,
        email_box=email_box,
        phone=phone,
        street=street,
        house=house,
        postcode=postcode,
        birth_date=profile.birth_date,
        refs=frozenset((ref.system, ref.record_id) for ref in profile.links),
        national_id=national_id_key(profile.national_id),
    )


def national_id_key(written: str | None) -> str:
    """A national id's digits (its separators are only how a system writes it); "" for none."""
    return "".join(c for c in written if c.isdigit()) if written else ""


def _mailbox(email: str, settings: MatchSettings) -> str:
    local, _, domain = email.partition("@")
    if settings.plus_addressing:
        local = local.split("+", 1)[0]
    return f"{local}@{domain}"


@dataclass(slots=True, frozen=True)
class MatchScore:
    """How sure we are two records are one person, and on what evidence (strongest first)."""

    confidence: float
    matched_on: tuple[str, ...]
    contradicted_by: tuple[str, ...] = ()

    def is_match(self, settings: MatchSettings = DEFAULT_SETTINGS) -> bool:
        return self.confidence >= settings.match_threshold


def score(a: Comparable, b: Comparable) -> MatchScore:
    """The evidence that ``a`` and ``b`` are one person, combined into a confidence (0 to 1)."""
    if (b.source, b.id) in a.refs or (a.source, a.id) in b.refs:
        return MatchScore(1.0, ("crossReference",))
    weights: list[tuple[float, str]] = []
    against: list[str] = []

    def weigh(weight: float, evidence: str) -> None:
        if weight > 0:
            weights.append((weight, evidence))
        elif weight < 0:
            weights.append((weight, ""))
            against.append(evidence)

    if a.email_box and b.email_box:
        weigh(7.0 if a.email_box == b.email_box else -1.0, "email")
    if a.phone and b.phone:
        weigh(4.0 if a.phone == b.phone else -0.5, "phone")
    for weight, name in _names(a, b):
        weigh(weight, name)
    if a.birth_date is not None and b.birth_date is not None:
        weigh(_birth_dates(a.birth_date, b.birth_date), "birthDate")
    if a.national_id and b.national_id:
        # Issued once per person: the same one is near proof, another is proof against
        # (outweighs a shared email, phone, address and birthday: twins, a household).
        weigh(9.0 if a.national_id == b.national_id else -20.0, "nationalId")
    weigh(*_addresses(a, b))
    total = PRIOR + sum(weight for weight, _ in weights)
    evidence = tuple(dict.fromkeys(e for w, e in sorted(weights, key=lambda we: -we[0]) if e))
    return MatchScore(_logistic(total), evidence, tuple(against))


def _names(a: Comparable, b: Comparable) -> list[tuple[float, str]]:
    """Given and family name evidence, the two names also tried the other way round."""
    if not (a.given or a.family) or not (b.given or b.family):
        return []
    straight = (_similarity(a.given, b.given), _similarity(a.family, b.family))
    swapped = (_similarity(a.given, b.family), _similarity(a.family, b.given))
    given, family = straight
    label = "name"
    if sum(swapped) > sum(straight) + 0.1:
        given, family, label = swapped[0], swapped[1], "nameSwapped"
    found = []
    if family is not None:
        found.append((_weight(family, same=4.0, typo=2.5, different=-5.0), label))
    if given is not None:
        # Another given name is strong evidence of another person (twins share the rest).
        found.append((_weight(given, same=3.0, typo=1.5, different=-10.0), label))
    return found


def _similarity(x: str, y: str) -> float:
    if not x or not y:
        return -1.0  # unknown: neither for nor against (see _weight)
    if len(x) == len(y) and x != y and sorted(x) == sorted(y) and OSA.distance(x, y) == 1:
        return TYPO  # two letters typed the other way round ("Zoe", "Zeo"): short names too
    return float(JaroWinkler.normalized_similarity(x, y))


def _weight(similarity: float, *, same: float, typo: float, different: float) -> float:
    if similarity < 0:
        return 0.0
    if similarity >= SAME:
        return same
    if similarity >= TYPO:
        return typo
    return different if similarity < DIFFERENT else 0.0


def _birth_dates(x: date, y: date) -> float:
    if x == y:
        return 6.0
    if (x.year, x.month, x.day) == (y.year, y.day, y.month):
        return 3.0  # day and month swapped: an American and a European form of one date
    one_day = abs((x - y).days) == 1
    one_year = (x.month, x.day) == (y.month, y.day) and abs(x.year - y.year) == 1
    if one_day or one_year:
        return 2.0  # a slip of one day or one year: weak evidence for, not against
    return -7.0


def _addresses(a: Comparable, b: Comparable) -> tuple[float, str]:
    if not a.street or not b.street:
        if a.postcode and a.postcode == b.postcode:
            return 1.0, "postcode"
        return 0.0, "address"
    same_postcode = bool(a.postcode) and a.postcode == b.postcode
    if a.street == b.street and (same_postcode or not a.postcode or not b.postcode):
        return 4.5, "address"
    if a.house == b.house and _similarity(a.street, b.street) >= TYPO and same_postcode:
        return 2.5, "address"
    if same_postcode:
        return 1.0, "postcode"
    return -1.5, "address"  # people move: weak evidence against


def _logistic(log_odds: float) -> float:
    return 1.0 / (1.0 + math.exp(-log_odds))


def contradicts(a: Comparable, b: Comparable) -> bool:
    """Whether two records that share a key are still clearly two people.

    Records a lookup found by the same id, email or phone are one person unless
    their given names or dates of birth say otherwise (a household's shared phone).
    """
    if (b.source, b.id) in a.refs or (a.source, a.id) in b.refs:
        return False
    # The evidence ``score`` would hold against them, weighed alone: the emails, phones
    # and addresses that can only add to or take from the total decide nothing here.
    if a.national_id and b.national_id and a.national_id != b.national_id:
        return True
    if a.birth_date is not None and b.birth_date is not None:
        if _birth_dates(a.birth_date, b.birth_date) < 0:
            return True
    return any(weight < 0 for weight, _ in _names(a, b))
