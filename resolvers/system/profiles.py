"""``CustomerProfilesLoader``: the customer systems' (CRMs') profiles by id, phone or email.

One lookup asks every customer system that can answer it; a list of ids costs
one request per customer system, however long the list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from resolvers.system.identity_cache import IdentityCache
from resolvers.system.loaders import SystemLoaders, merge_answers
from resolvers.system.records import CustomerProfile
from sources.config import IdentityMatching


class CustomerProfilesLoader:
    """Profiles whose ``kind`` (id, phone or email) is a value, from every customer system."""

    __slots__ = ("_loaders",)

    def __init__(self, loaders: SystemLoaders) -> None:
        self._loaders = loaders

    @property
    def system(self) -> SystemLoaders:
        """The request's per-source loaders (links are followed through them)."""
        return self._loaders

    def can_look_up(self, kind: str) -> bool:
        """Whether some customer system declares a lookup of ``kind``."""
        return bool(self._loaders.runtime.routes_for("customer", kind))

    def is_customer_system(self, source: str) -> bool:
        """Whether ``source`` is a customer system (serves ``customer``)."""
        return any(r.source == source for r in self._loaders.runtime.routes_for("customer", "id"))

    def declares(self, source: str) -> bool:
        return source in self._loaders.runtime.config.sources

    def identity_matching(self) -> IdentityMatching:
        """The source config's ``identity:`` section (its defaults when there is no config)."""
        config = getattr(self._loaders.runtime, "config", None)
        return config.identity if config is not None else IdentityMatching()

    @property
    def remembered(self) -> IdentityCache | None:
        """Lookup answers kept across requests (``identity.cache_ttl_s``); None when off."""
        cache: IdentityCache | None = getattr(
            getattr(self._loaders, "runtime", None), "identity_cache", None
        )
        return cache

    def lookups_by_system(self) -> dict[str, frozenset[str]]:
        """Per customer system, in declared order, the lookup kinds it declares."""
        found: dict[str, set[str]] = {}
        for by_kind in self._loaders.runtime.routes_by_source("customer"):
            for kind, route in by_kind.items():
                found.setdefault(route.source, set()).add(kind)
        return {source: frozenset(kinds) for source, kinds in found.items()}

    async def load_from(
        self, lookups: Sequence[tuple[str, str, str]]
    ) -> list[list[CustomerProfile] | BaseException]:
        """Per ``(system, kind, value)``, in order, that one system's answer: one wait for all.

        A failed system's answer is its exception (the caller decides what it costs).
        """
        if not lookups:
            return []
        routes = self._loaders.runtime.routes_for
        pending = [
            [
                f
                for route in routes("customer", kind)
                if route.source == system
                and (f := self._loaders.future_from(route, value)) is not None
            ]
            for system, kind, value in lookups
        ]
        await asyncio.gather(*(f for futures in pending for f in futures), return_exceptions=True)
        answers: list[list[CustomerProfile] | BaseException] = []
        for futures in pending:
            failed = next((f.exception() for f in futures if f.exception()), None)
            answers.append(failed or [p for f in futures for p in f.result()])
        return answers

    async def load(self, kind: str, value: str) -> list[CustomerProfile]:
        """The matching profiles of every customer system; the first failed system raises."""
        found: list[CustomerProfile] = await self._loaders.load("customer", kind, value)
        return found

    async def load_many(self, kind: str, values: Sequence[str]) -> list[list[CustomerProfile]]:
        """Per value, in order, its profiles: every lookup queued before one wait (no task each).

        The first value, in order, whose customer system failed raises that failure.
        """
        return await self.load_each([(kind, value) for value in values])

    async def load_each(self, lookups: Sequence[tuple[str, str]]) -> list[list[CustomerProfile]]:
        """``load_many`` for lookups of several kinds (an id, another system's id): one wait."""
        pending = [self._loaders.futures("customer", kind, value) for kind, value in lookups]
        await asyncio.gather(*(f for futures in pending for f in futures), return_exceptions=True)
        return [
            merge_answers([f.exception() or f.result() for f in futures]) for futures in pending
        ]
