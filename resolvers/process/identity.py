"""Identity resolution, first form: who is this caller, and which records are theirs.

A lookup by id, phone or email asks every customer system (CRM) that can answer
it; all matching records are the same person, the oldest one is primary. The
identifiers of the primary record then reach every other system.

Links (``links:`` in the source config) add the ids a person's records hold for
other systems: those systems are asked by them first, ``Customer.identities``
lists them, and ``customer(id: "orders:oc-17")`` finds the contact holding one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from resolvers.process.errors import InvalidLookup
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
    def identities(self) -> tuple[Identity, ...]:
        """The customer-system records that matched, then every id a link gave (once each)."""
        confidence = CONFIDENCE.get(self.matched_on, 0.8)
        if self.matched_on.startswith(LINKED_BY):
            confidence = LINK_CONFIDENCE
        found = [Identity(p.source, p.id, self.matched_on, confidence) for p in self.profiles]
        seen = {(i.system, i.record_id) for i in found}
        refs = [ref for p in self.profiles for ref in p.links]
        for ref in (*refs, *self.chained):
            if (ref.system, ref.record_id) not in seen:
                seen.add((ref.system, ref.record_id))
                found.append(Identity(ref.system, ref.record_id, ref.evidence, LINK_CONFIDENCE))
        return tuple(found)


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


async def find_person(
    loaders: CustomerLoaders, kind: str, value: str, reads: Collection[Ahead] = ()
) -> Person | None:
    """The person whose ``kind`` (id, phone or email) is ``value``; None if nobody is.

    An id may be another system's, as ``<system>:<id>`` (``lookup_of``).
    What the caller will read of them (``reads``) is loaded ahead in one more wait.
    """
    lookup, key = lookup_of(loaders, kind, value)
    if normalize_lookup(lookup, key) is None:
        raise InvalidLookup(kind, value)
    person = _person(await loaders.profiles.load(lookup, key), lookup)
    if person is not None:
        await _follow(loaders, [person])
    if reads and person is not None:
        await loaders.load_ahead(reads, [person.keys])
    return person


async def find_people(
    loaders: CustomerLoaders, ids: list[str], reads: Collection[Ahead] = ()
) -> list[Person | None]:
    """One entry per id, in order; unknown ids are None. One CRM request for the whole list.

    The first id, in order, whose customer system failed raises that failure.
    What the caller will read of every person (``reads``) is loaded ahead for
    all of them in one more wait, so those reads answer at once.
    """
    lookups = [lookup_of(loaders, "id", value) for value in ids]
    for (kind, key), value in zip(lookups, ids, strict=True):
        if normalize_lookup(kind, key) is None:
            raise InvalidLookup("id", value)
    found = await loaders.profiles.load_each(lookups)
    people = [_person(profiles, kind) for profiles, (kind, _) in zip(found, lookups, strict=True)]
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


def _person(profiles: list[CustomerProfile], matched_on: str) -> Person | None:
    """All of one person's profiles, the oldest first (it is the primary); None for none."""
    if not profiles:
        return None
    ordered = sorted(profiles, key=lambda p: (p.created_at is None, p.created_at or 0, p.id))
    return Person(ordered[0], tuple(ordered), matched_on)
