"""``CustomerProfilesLoader``: the customer systems' (CRMs') profiles by id, phone or email.

One lookup asks every customer system that can answer it; a list of ids costs
one request per customer system, however long the list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from resolvers.system.loaders import SystemLoaders, merge_answers
from resolvers.system.records import CustomerProfile


class CustomerProfilesLoader:
    """Profiles whose ``kind`` (id, phone or email) is a value, from every customer system."""

    __slots__ = ("_loaders",)

    def __init__(self, loaders: SystemLoaders) -> None:
        self._loaders = loaders

    async def load(self, kind: str, value: str) -> list[CustomerProfile]:
        """The matching profiles of every customer system; the first failed system raises."""
        found: list[CustomerProfile] = await self._loaders.load("customer", kind, value)
        return found

    async def load_many(self, kind: str, values: Sequence[str]) -> list[list[CustomerProfile]]:
        """Per value, in order, its profiles: every lookup queued before one wait (no task each).

        The first value, in order, whose customer system failed raises that failure.
        """
        pending = [self._loaders.futures("customer", kind, value) for value in values]
        await asyncio.gather(*(f for futures in pending for f in futures), return_exceptions=True)
        return [
            merge_answers([f.exception() or f.result() for f in futures]) for futures in pending
        ]
