"""The response cache in front of connectors: per-entity TTL, fresh hits skip the source.

Values are the source's raw records for one key (plain JSON), so the same cache
can live in process memory or in a shared store. Entries outlive their TTL by
``stale_for_s`` so that a later change can serve them when the source is down.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cachetools import TTLCache

from sources.base import Connector, RawRecord


@dataclass(slots=True, frozen=True)
class CachedEntry:
    records: list[RawRecord]
    stored_at: float
    fresh_until: float


class ResponseCache(Protocol):
    async def get_many(self, keys: Sequence[str]) -> list[CachedEntry | None]: ...

    async def set_many(self, entries: dict[str, CachedEntry], keep_s: float) -> None: ...


class MemoryCache:
    """The embedded default: a bounded in-process TTL map."""

    def __init__(self, maxsize: int = 50_000, keep_s: float = 3_600) -> None:
        self._entries: TTLCache[str, CachedEntry] = TTLCache(maxsize=maxsize, ttl=keep_s)

    async def get_many(self, keys: Sequence[str]) -> list[CachedEntry | None]:
        return [self._entries.get(key) for key in keys]

    async def set_many(self, entries: dict[str, CachedEntry], keep_s: float) -> None:
        self._entries.update(entries)


class CachedConnector:
    """Wraps a connector: keys whose entity has a TTL are answered from the cache while fresh."""

    def __init__(self, inner: Connector, cache: ResponseCache, ttl_s: dict[str, float]) -> None:
        self.name = inner.name
        self.inner = inner
        self._cache = cache
        self._ttl_s = ttl_s

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()

    async def fetch(
        self, entity: str, kind: str, keys: Sequence[str], *, timeout_s: float
    ) -> list[list[RawRecord]]:
        ttl = self._ttl_s.get(entity, 0.0)
        if ttl <= 0:
            return await self.inner.fetch(entity, kind, keys, timeout_s=timeout_s)
        cache_keys = [f"{self.name}/{entity}/{kind}/{key}" for key in keys]
        now = time.time()
        cached = await self._cache.get_many(cache_keys)
        answers: list[list[RawRecord] | None] = [
            entry.records if entry is not None and entry.fresh_until > now else None
            for entry in cached
        ]
        missing = [i for i, answer in enumerate(answers) if answer is None]
        if missing:
            fetched = await self.inner.fetch(
                entity, kind, [keys[i] for i in missing], timeout_s=timeout_s
            )
            fresh: dict[str, CachedEntry] = {}
            for i, records in zip(missing, fetched, strict=True):
                answers[i] = records
                fresh[cache_keys[i]] = CachedEntry(records, now, now + ttl)
            await self._cache.set_many(fresh, keep_s=ttl * 10)
        return [answer if answer is not None else [] for answer in answers]


__all__ = ["CachedConnector", "CachedEntry", "MemoryCache", "ResponseCache"]
