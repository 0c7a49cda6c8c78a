"""Identity lookups remembered across requests for a few seconds (``identity.cache_ttl_s``).

The agent's phone rings again: the caller's number was resolved a moment ago, so
the records every customer system returned for it are answered from here and
no customer system is asked. Kept per gateway process, for ``cache_ttl_s`` at
most, bounded in bytes (``cache_max_bytes``, each answer's estimated size; the
least recently used go first). Never a master copy: an entry expires whatever
happens to it, only whole answers are kept (a lookup that found nobody, or that
a customer system failed, is asked again next time), and nothing but a lookup's
own answer is ever served from here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from cachetools import TTLCache

from resolvers.system.records import CustomerProfile

LookupKey = tuple[str, str, str]
"""``(system, or "" for every customer system, lookup kind, normalised value)``."""

MAX_RECORDS = 50
"""An answer of more records than this is a crowd, not a caller: not remembered."""

_PROFILE_BYTES = 600
"""A mapped profile's fixed weight (the slotted object, its dates, floats and tuple)."""

_TEXT_FIELDS = (
    "source",
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "account_id",
    "twitter_handle",
)


def _bytes(profiles: tuple[CustomerProfile, ...]) -> int:
    """An answer's estimated weight: each profile's fixed part, its text and its links."""
    total = 0
    for p in profiles:
        total += _PROFILE_BYTES + 120 * len(p.links)
        for name in _TEXT_FIELDS:
            value = getattr(p, name)
            if value is not None:
                total += 50 + len(value)
    return total


class IdentityCache:
    """Lookup answers by ``LookupKey``, each kept ``ttl_s`` seconds, ``max_bytes`` in all."""

    __slots__ = ("_entries", "_max_bytes")

    def __init__(
        self, ttl_s: float, max_bytes: int, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_bytes = max_bytes
        self._entries: TTLCache[LookupKey, tuple[CustomerProfile, ...]] = TTLCache(
            maxsize=max_bytes, ttl=ttl_s, timer=timer, getsizeof=_bytes
        )

    def get(self, key: LookupKey) -> tuple[CustomerProfile, ...] | None:
        """The answer remembered for ``key``; None when there is none younger than the TTL."""
        return self._entries.get(key)

    def put(self, key: LookupKey, profiles: Sequence[CustomerProfile]) -> None:
        """Remembers a lookup's whole answer (none for an empty or an outsized one)."""
        if not profiles or len(profiles) > MAX_RECORDS:
            return
        answer = tuple(profiles)
        if _bytes(answer) > self._max_bytes:
            return
        self._entries[key] = answer

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """The estimated weight of every answer held now."""
        return int(self._entries.currsize)


def identity_cache(ttl_s: float, max_bytes: int) -> IdentityCache | None:
    """The process's cache for the ``identity:`` settings; None when ``ttl_s`` is 0 (off)."""
    return IdentityCache(ttl_s, max_bytes) if ttl_s > 0 else None
