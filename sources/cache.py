"""The response cache of source calls: fresh hits skip the source, stale ones save a failure.

Values are a source's raw records for one key (plain JSON), so the same cache
can live in process memory (the default) or in Redis shared by every replica.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cachetools import TTLCache

from sources.base import RawRecord


@dataclass(slots=True, frozen=True)
class CachedEntry:
    records: list[RawRecord]
    stored_at: float
    fresh_until: float


class ResponseCache(Protocol):
    """A store of cached entries by key. Failing stores answer misses; they never raise."""

    async def get_many(self, keys: Sequence[str]) -> list[CachedEntry | None]: ...

    async def set_many(self, entries: dict[str, CachedEntry], keep_s: float) -> None: ...

    async def close(self) -> None: ...


class _Entries(TTLCache[str, CachedEntry | None]):
    """A TTLCache whose lookups answer None for a missing or expired key, as ``get`` does.

    ``cache[key]`` then costs one lookup where ``get`` costs two (a membership
    test, then the item), and a miss raises nothing.
    """

    def __missing__(self, key: str) -> None:
        return None


class MemoryCache:
    """The embedded default: a bounded in-process map, entries kept ``keep_s`` at most."""

    def __init__(self, maxsize: int = 100_000, keep_s: float = 3_600) -> None:
        self._entries = _Entries(maxsize=maxsize, ttl=keep_s)

    async def get_many(self, keys: Sequence[str]) -> list[CachedEntry | None]:
        entries = self._entries
        return [entries[key] for key in keys]

    async def set_many(self, entries: dict[str, CachedEntry], keep_s: float) -> None:
        self._entries.update(entries)

    async def close(self) -> None:
        self._entries.clear()
