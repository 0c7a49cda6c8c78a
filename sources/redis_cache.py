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
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import orjson
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from sources.cache import CachedEntry
from sources.metrics import CACHE_ERRORS

log = logging.getLogger("c360.cache")

RETRY_AFTER_S = 5.0
"""How long a failed Redis is skipped before the next call tries it again."""


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
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._down_until = 0.0

    def _available(self) -> bool:
        return self._clock() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        CACHE_ERRORS.inc()
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
        try:
            values = await self._redis.mget([self._prefix + key for key in keys])
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return [None] * len(keys)
        return [_decode(value) for value in values]

    async def set_many(self, entries: dict[str, CachedEntry], keep_s: float) -> None:
        if not entries or not self._available():
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key, entry in entries.items():
                    payload = orjson.dumps([entry.records, entry.stored_at, entry.fresh_until])
                    pipe.set(self._prefix + key, payload, ex=max(1, int(keep_s)))
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._failed(exc)

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
