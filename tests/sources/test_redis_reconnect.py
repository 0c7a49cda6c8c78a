"""The shared cache and a Redis that goes away: skipped at once, tried after ``retry_after_s``.

Against the real Redis (``C360_TEST_REDIS_URL``, default 127.0.0.1:6379) behind a
TCP proxy of the test's own, which the test stops, starts, or turns into a
server that hangs up on every connection. The proxy counts the connections it
is asked for, so the tests pin what the cache does on the wire (one attempt per
failure, none while skipping) and a clock of the test's own stands in for the
5 s: nothing here waits for, or measures, wall-clock time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlparse

import pytest
import redis

from sources.cache import CachedEntry
from sources.redis_cache import RETRY_AFTER_S, RedisCache

SHARED_REDIS = os.environ.get("C360_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HANG_GUARD_S = 30.0

pytestmark = pytest.mark.redis


class RedisProxy:
    """Forwards 127.0.0.1:<port> to Redis; can go away (``stop``) or hang up on everyone."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.connections = 0
        """Connections the cache opened to us (forwarded or hung up on)."""
        self.hang_up = False
        self.silent = False
        """Accept connections and never answer (a Redis that stopped, or a black hole)."""
        self.reply_delay_s = 0.0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, reuse_address=True
        )

    async def stop(self) -> None:
        """Redis is gone: nothing listens on the port, open connections are reset."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._open):
                writer.transport.abort()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.hang_up:
            writer.transport.abort()
            return
        if self.silent:
            self._open.add(writer)
            while await reader.read(65536):
                pass
            return
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._open |= {writer, up_writer}
        try:
            await asyncio.gather(
                _pipe(reader, up_writer), _pipe(up_reader, writer, lambda: self.reply_delay_s)
            )
        finally:
            self._open -= {writer, up_writer}


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    delay_s: Callable[[], float] = lambda: 0.0,
) -> None:
    try:
        while data := await reader.read(65536):
            if delay := delay_s():
                await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.transport.abort()


class Clock:
    """``time.monotonic`` for the cache, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def proxy() -> AsyncIterator[RedisProxy]:
    try:
        redis.Redis.from_url(SHARED_REDIS, socket_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Redis at {SHARED_REDIS}: {exc} (CI=true: the Redis tests must run)")
        pytest.skip(f"no Redis at {SHARED_REDIS}: {exc}")
    target = urlparse(SHARED_REDIS)
    running = RedisProxy((target.hostname or "127.0.0.1", target.port or 6379))
    await running.start()
    try:
        async with asyncio.timeout(HANG_GUARD_S):
            yield running
    finally:
        await running.stop()


@pytest.fixture
async def cache(proxy: RedisProxy) -> AsyncIterator[tuple[RedisCache, Clock]]:
    clock = Clock()
    shared = RedisCache(proxy.url, prefix=f"c360-test-{uuid.uuid4().hex}:", clock=clock)
    yield shared, clock
    with contextlib.suppress(Exception):
        await shared.close()


ENTRY = CachedEntry([{"id": "c1"}], 1.0, 2.0)


async def test_redis_back_is_used_again_retry_after_s_after_it_failed_and_not_before(
    proxy: RedisProxy, cache: tuple[RedisCache, Clock]
) -> None:
    shared, clock = cache
    await shared.set_many({"k": ENTRY}, keep_s=60)
    assert await shared.get_many(["k"]) == [ENTRY]
    await proxy.stop()
    assert await shared.get_many(["k"]) == [None], "Redis gone: a miss, not an error"
    await proxy.start()  # Redis is back at once; the cache does not know yet
    asked = proxy.connections
    clock.now += RETRY_AFTER_S - 0.1
    assert await shared.get_many(["k"]) == [None]
    await shared.set_many({"other": ENTRY}, keep_s=60)
    assert proxy.connections == asked, "skipped: not even a connection attempt"
    clock.now += 0.1
    assert await shared.get_many(["k"]) == [ENTRY], "used again after retry_after_s"


async def test_a_failed_call_is_one_attempt_and_a_redis_still_down_is_skipped_again(
    proxy: RedisProxy, cache: tuple[RedisCache, Clock]
) -> None:
    shared, clock = cache
    await shared.set_many({"k": ENTRY}, keep_s=60)
    await proxy.stop()
    proxy.hang_up = True  # a Redis that accepts and drops every connection
    await proxy.start()
    assert await shared.get_many(["k"]) == [None]  # its pooled connection was reset
    clock.now += RETRY_AFTER_S
    asked = proxy.connections
    assert await shared.get_many(["k"]) == [None]  # tried again: still down
    # One connection for the failed call: redis-py's own retries would make several,
    # holding the request (and every request behind it) for their backoff.
    assert proxy.connections == asked + 1
    clock.now += RETRY_AFTER_S - 0.1
    assert await shared.get_many(["k"]) == [None]
    assert proxy.connections == asked + 1, "a second failure starts another skip"
    proxy.hang_up = False
    clock.now += 0.1
    assert await shared.get_many(["k"]) == [ENTRY]


async def test_a_timeout_our_own_busy_loop_caused_does_not_skip_a_healthy_redis(
    proxy: RedisProxy, cache: tuple[RedisCache, Clock]
) -> None:
    shared, _clock = cache
    await shared.set_many({"k": ENTRY}, keep_s=60)
    proxy.reply_delay_s = 0.05  # Redis answers well within the cache's 100 ms timeout ...
    loop = asyncio.get_running_loop()
    loop.call_later(0.005, time.sleep, 0.3)  # ... but a request holds our loop for 300 ms
    await shared.get_many(["k"])  # a miss, most likely: the timer fired before the reply was read
    proxy.reply_delay_s = 0.0
    assert await shared.get_many(["k"]) == [ENTRY], "Redis was not skipped for our lag"


async def test_a_redis_that_stops_answering_is_skipped(
    proxy: RedisProxy, cache: tuple[RedisCache, Clock]
) -> None:
    shared, clock = cache
    proxy.silent = True
    assert await shared.get_many(["k"]) == [None]  # timed out, not an error
    proxy.silent = False
    asked = proxy.connections
    assert await shared.get_many(["k"]) == [None]
    assert proxy.connections == asked, "skipped: not even a connection attempt"
    await shared.set_many({"k": ENTRY}, keep_s=60)
    clock.now += RETRY_AFTER_S
    await shared.set_many({"k": ENTRY}, keep_s=60)
    assert await shared.get_many(["k"]) == [ENTRY]
