"""Identity resolution, first form: who is this caller, and which records are theirs.

A lookup by id, phone or email asks every customer system (CRM) that can answer
it; all matching records are the same person, the oldest one is primary. The
identifiers of the primary record then reach every other system.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from resolvers.process.errors import InvalidLookup
from resolvers.system.loaders import SystemLoaders, merge_answers, normalize_lookup
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

    @property
    def keys(self) -> dict[str, object]:
        """Identifiers to reach other systems with, in order of preference."""
        p = self.primary
        return {
            "email": p.email,
            "phone": p.phone,
            "handle": p.twitter_handle,
            "location": (p.latitude, p.longitude),
        }

    @property
    def identities(self) -> tuple[Identity, ...]:
        confidence = CONFIDENCE.get(self.matched_on, 0.8)
        return tuple(Identity(p.source, p.id, self.matched_on, confidence) for p in self.profiles)


async def find_person(loaders: SystemLoaders, kind: str, value: str) -> Person | None:
    """The person whose ``kind`` (id, phone or email) is ``value``; None if nobody is."""
    if normalize_lookup(kind, value) is None:
        raise InvalidLookup(kind, value)
    return _person(await loaders.load("customer", kind, value), kind)


async def find_people(loaders: SystemLoaders, ids: list[str]) -> list[Person | None]:
    """One entry per id, in order; unknown ids are None. One CRM request for the whole list.

    Every id's loads are queued before the one wait (no task per id); the first
    id, in order, whose source failed raises that failure.
    """
    for value in ids:
        if normalize_lookup("id", value) is None:
            raise InvalidLookup("id", value)
    pending = [loaders.futures("customer", "id", value) for value in ids]
    await asyncio.gather(*(f for futures in pending for f in futures), return_exceptions=True)
    return [
        _person(merge_answers([f.exception() or f.result() for f in futures]), "id")
        for futures in pending
    ]


def _person(profiles: list[CustomerProfile], matched_on: str) -> Person | None:
    """All of one person's profiles, the oldest first (it is the primary); None for none."""
    if not profiles:
        return None
    ordered = sorted(profiles, key=lambda p: (p.created_at is None, p.created_at or 0, p.id))
    return Person(ordered[0], tuple(ordered), matched_on)
