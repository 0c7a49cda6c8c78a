"""Identity resolution, first form: who is this caller, and which records are theirs.

A lookup by id, phone or email asks every customer system (CRM) that can answer
it; all matching records are the same person, the oldest one is primary. The
identifiers of the primary record then reach every other system.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from resolvers.process.errors import InvalidLookup
from resolvers.system.by_customer import CustomerKeys
from resolvers.system.customer_loaders import Ahead, CustomerLoaders
from resolvers.system.loaders import normalize_lookup
from resolvers.system.records import CustomerProfile

CONFIDENCE = {"id": 1.0, "email": 0.95, "phone": 0.9}


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

    def __post_init__(self) -> None:
        p = self.primary
        keys = {
            "email": p.email,
            "phone": p.phone,
            "handle": p.twitter_handle,
            "location": (p.latitude, p.longitude),
        }
        object.__setattr__(self, "keys", CustomerKeys(keys))

    @property
    def identities(self) -> tuple[Identity, ...]:
        confidence = CONFIDENCE.get(self.matched_on, 0.8)
        return tuple(Identity(p.source, p.id, self.matched_on, confidence) for p in self.profiles)


async def find_person(
    loaders: CustomerLoaders, kind: str, value: str, reads: Collection[Ahead] = ()
) -> Person | None:
    """The person whose ``kind`` (id, phone or email) is ``value``; None if nobody is.

    What the caller will read of them (``reads``) is loaded ahead in one more wait.
    """
    if normalize_lookup(kind, value) is None:
        raise InvalidLookup(kind, value)
    person = _person(await loaders.profiles.load(kind, value), kind)
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
    for value in ids:
        if normalize_lookup("id", value) is None:
            raise InvalidLookup("id", value)
    people = [_person(found, "id") for found in await loaders.profiles.load_many("id", ids)]
    keys = [p.keys for p in people if p is not None]
    if reads and keys:
        await loaders.load_ahead(reads, keys)
    return people


def _person(profiles: list[CustomerProfile], matched_on: str) -> Person | None:
    """All of one person's profiles, the oldest first (it is the primary); None for none."""
    if not profiles:
        return None
    ordered = sorted(profiles, key=lambda p: (p.created_at is None, p.created_at or 0, p.id))
    return Person(ordered[0], tuple(ordered), matched_on)
