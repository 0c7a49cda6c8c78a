"""The response cache of source calls: fresh hits skip the source, stale ones save a failure.

Values are a source's raw records for one key (plain JSON), so the same cache
can live in process memory (the default) or in Redis shared by every replica.
An entry is kept only up to ``cache_max_entry_bytes`` of JSON (``entry_bytes``):
a sick source's 7 MB answer is served once, not held for an hour as stale.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import orjson

from sources.base import RawRecord

SIZED_RECORDS = 256
"""Records encoded at a time when an entry is sized: a huge one stops at its limit, not its end."""

MEMORY_CACHE_MAX_BYTES = 64_000_000
"""The in-process cache's entries together (their JSON bytes): the least recent go beyond it."""


@dataclass(slots=True, frozen=True)
class CachedEntry:
    records: list[RawRecord]
    stored_at: float
    fresh_until: float
    size: int = 0
    """The records' JSON bytes, as ``entry_bytes`` found them (0: not sized)."""


def entry_bytes(records: list[RawRecord], limit: int) -> int | None:
    """The records' size as JSON (a bracket pair per slice), or None once it passes ``limit``.

    Encoded a slice at a time, so an entry far over the limit costs about the
    limit's worth of encoding, and a usual one (a few KB) a few microseconds.
    """
    size = 0
    for start in range(0, len(records), SIZED_RECORDS):
        size += len(orjson.dumps(records[start : start + SIZED_RECORDS], default=str))
        if size > limit:
            return None
    return size


class ResponseCache(Protocol):
    """A store of cached entries by key. Failing stores answer misses; they never raise."""

    async def get_many(self, keys: Sequence[str]) -> list[CachedEntry | None]: ...

    async def set_many(self, entries: dict[str, CachedEntry], keep_s: float) -> None: ...

    async def close(self) -> None: ...


class MemoryCache:
    """The embedded default: a bounded in-process map, entries kept ``keep_s`` at most.

    An ``OrderedDict`` in least-recently-used order (a read moves an entry to the
    end, the first entries go when the map is full); each entry carries its own
    expiry. Writing an answer's entries, what every source call does, costs a
    dict insertion each: ``cachetools.TTLCache``'s links and timer cost several
    times that on the hot path. Not a plain dict: evicting its first entry
    (``next(iter(d))``) scans past every slot deleted before it, so a full cache
    under churn paid milliseconds per write (measured: 50 µs → 3.9 ms per 50 keys).
    Bounded by entries and by bytes (the entries' ``size``s added up).
    """

    def __init__(
        self,
        maxsize: int = 100_000,
        keep_s: float = 3_600,
        max_bytes: int = MEMORY_CACHE_MAX_BYTES,
    ) -> None:
        self._maxsize = maxsize
        self._keep_s = keep_s
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[str, tuple[float, CachedEntry]] = OrderedDict()

    @property
    def kept_bytes(self) -> int:
        """The JSON bytes of the entries held now."""
        return self._bytes

    async def get_many(self, keys: Sequence[str]) -> list[CachedEntry | None]:
        entries = self._entries
        now = time.monotonic()
        found: list[CachedEntry | None] = []
        for key in keys:
            kept = entries.get(key)
            if kept is None:
                found.append(None)
                continue
            if kept[0] <= now:
                del entries[key]
                self._bytes -= kept[1].size
                found.append(None)
                continue
            entries.move_to_end(key)  # most recently used: last to go
            found.append(kept[1])
        return found

    async def set_many(self, entries: dict[str, CachedEntry], keep_s: float) -> None:
        kept = self._entries
        expires_at = time.monotonic() + min(keep_s, self._keep_s)
        for key, entry in entries.items():
            replaced = kept.get(key)
            if replaced is not None:
                self._bytes -= replaced[1].size
            kept[key] = (expires_at, entry)
            kept.move_to_end(key)
            self._bytes += entry.size
        while len(kept) > self._maxsize or (self._bytes > self._max_bytes and kept):
            self._bytes -= kept.popitem(last=False)[1][1].size

    async def close(self) -> None:
        self._entries.clear()
        self._bytes = 0
