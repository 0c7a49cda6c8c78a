"""The shared response cache in Redis, so several gateway replicas serve each other's stale values.

A cache must never be the reason a request fails or waits: every Redis call has
a short timeout, and after a failure Redis is skipped for ``retry_after_s``
(answering misses, dropping writes); the first call after that tries it again.

redis-py's own retries are pinned off (``Retry(NoBackoff(), 0)``): its default
policy depends on the release and on how the client is built (redis-py 8.1:
``Redis(...)`` retries a failed command 10 times with backoff up to 1 s, while
``from_url`` leaves connections without retries), and a retrying client holds
the request that hit a dead Redis, and delays noticing the failure, by seconds
on top of ``retry_after_s``. One attempt, one timeout, then the skip: a Redis
that is back is used again ``retry_after_s`` after the failure.

A timeout is not always Redis's: when a request holds the event loop (a big
answer being mapped), the reply is there but the timer fires first, late, and a
healthy Redis was skipped for 5 s, then again at its next try while the load
lasted (measured: a loop blocked 150 ms at a time made 8 skips in 6 s). A
timeout that fired more than ``LATE_FACTOR`` times its due time is counted
(a miss) without starting the skip, as long as Redis answered within the last
``LATE_GRACE_S``: a Redis that is really silent under a busy loop is still
skipped after that.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

import orjson
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeout

from sources.cache import CachedEntry
from sources.metrics import CACHE_ERRORS

log = logging.getLogger("c360.cache")

RETRY_AFTER_S = 5.0
"""How long a failed Redis is skipped before the next call tries it again."""

LATE_FACTOR = 1.5
"""A timeout seen this many times its ``timeout_s`` after the call began fired late: loop lag."""

LATE_GRACE_S = 1.0
"""How long after Redis last answered a late timeout is still taken for our loop's lag."""


class RedisCache:
    """``ResponseCache`` on Redis: MGET for lookups, a pipelined SET EX for writes."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "c360:",
        timeout_s: float = 0.1,
        retry_after_s: float = RETRY_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),
        )
        self._prefix = prefix
        self._timeout_s = timeout_s
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._down_until = 0.0
        self._answered_at = float("-inf")
        """Loop time of Redis's last answer."""

    def _available(self) -> bool:
        return self._clock() >= self._down_until

    def _failed(self, exc: Exception, began: float) -> None:
        CACHE_ERRORS.inc()
        now = asyncio.get_running_loop().time()
        if (
            isinstance(exc, (RedisTimeout, TimeoutError))
            and now - began > LATE_FACTOR * self._timeout_s
            and now - self._answered_at < LATE_GRACE_S
        ):
            return  # our loop was busy: the reply may well be there, read too late
        if self._available():
            log.warning(
                "shared cache unavailable, skipping it for %.0f s: %s",
                self._retry_after_s,
                type(exc).__name__,
            )
        self._down_until = self._clock() + self._retry_after_s

    async def get_many(self, keys: Sequence[str]) -> list[CachedEntry | None]:
        if not keys or not self._available():
            return [None] * len(keys)
        began = asyncio.get_running_loop().time()
        try:
            values = await self._redis.mget([self._prefix + key for key in keys])
        except (RedisError, OSError) as exc:
            self._failed(exc, began)
            return [None] * len(keys)
        self._answered_at = asyncio.get_running_loop().time()
        return [_decode(value) for value in values]

    async def set_many(self, entries: dict[str, CachedEntry], keep_s: float) -> None:
        if not entries or not self._available():
            return
        began = asyncio.get_running_loop().time()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, entry in entries.items():
                    payload = orjson.dumps([entry.records, entry.stored_at, entry.fresh_until])
                    pipe.set(self._prefix + key, payload, ex=max(1, int(keep_s)))
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._failed(exc, began)
            return
        self._answered_at = asyncio.get_running_loop().time()

    async def close(self) -> None:
        await self._redis.aclose()


def _decode(value: bytes | str | None) -> CachedEntry | None:
    if value is None:
        return None
    try:
        records, stored_at, fresh_until = orjson.loads(value)
    except (orjson.JSONDecodeError, ValueError, TypeError):
        return None  # written by something else, or damaged: a miss, not a failure
    return CachedEntry(records, stored_at, fresh_until)
