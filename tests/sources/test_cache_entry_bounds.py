"""The response cache keeps no answer over ``cache_max_entry_bytes``, and no more bytes than it may.

A sick source's megabyte answers are served to whoever asked and then let go:
kept for an hour as stale, they held the gateway at twice its starting memory.
Through the real REST connector against a small source of the test's own on
127.0.0.1, whose answer the test sets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client import REGISTRY

from sources.cache import CachedEntry, MemoryCache, entry_bytes
from sources.errors import SourceUnavailable
from sources.resilient import ResilientConnector, breaker_factory
from sources.rest import RestConnector
from tests.sources.test_bounded_answers import rest_source

NOTE = "x" * 3_000
"""A contact's free-text note: three of them pass a 8 KB entry limit, one does not."""


@dataclass
class Contacts:
    """A contacts system: ``notes`` notes on the contact asked for, or HTTP 503 when ``down``."""

    url: str = ""
    notes: int = 1
    down: bool = False
    requests: int = 0
    emails: list[str] = field(default_factory=list)


@pytest.fixture
async def contacts() -> AsyncIterator[Contacts]:
    system = Contacts()

    async def answer(request: web.Request) -> web.StreamResponse:
        system.requests += 1
        if system.down:
            return web.Response(status=503)
        emails = request.query["emails"].split(",")
        records = [
            {"id": f"c-{email}", "email": email, "notes": [NOTE] * system.notes} for email in emails
        ]
        return web.json_response({"data": records})

    app = web.Application()
    app.router.add_get("/contacts", answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    system.url = str(server.make_url("")).rstrip("/")
    yield system
    await server.close()


def refused(source: str) -> float:
    return REGISTRY.get_sample_value("c360_source_cache_refused_total", {"source": source}) or 0.0


async def asked_twice(contacts: Contacts, cache: MemoryCache) -> tuple[object, object]:
    """The contact of a@x.test asked with the system up, then with it down."""
    source = rest_source(contacts.url, resilience={"retries": 0, "cache_max_entry_bytes": 8_192})
    connector = ResilientConnector(RestConnector("crm", source), source, breaker_factory(), cache)
    await connector.start()
    try:
        [first] = await connector.fetch("contacts", "email", ["a@x.test"], timeout_s=5)
        contacts.down = True
        [second] = await connector.fetch("contacts", "email", ["a@x.test"], timeout_s=5)
    finally:
        await connector.close()
    return first, second


async def test_an_answer_over_the_entry_limit_is_served_but_never_served_stale(
    contacts: Contacts,
) -> None:
    contacts.notes = 5  # about 15 KB of JSON for one contact
    before = refused("crm")
    first, second = await asked_twice(contacts, MemoryCache())
    assert isinstance(first, list) and first[0]["notes"] == [NOTE] * 5
    assert isinstance(second, SourceUnavailable), "nothing kept to stand in for it"
    assert refused("crm") - before == 1


async def test_an_answer_within_the_entry_limit_is_served_stale_when_the_source_fails(
    contacts: Contacts,
) -> None:
    contacts.notes = 2
    before = refused("crm")
    cache = MemoryCache()
    first, second = await asked_twice(contacts, cache)
    assert isinstance(first, list)
    assert second == first
    assert refused("crm") == before
    assert len(orjson.dumps(first)) <= cache.kept_bytes <= 8_192, "sized by its share of the answer"


class CountingCache(MemoryCache):
    """The in-process cache, counting the entries written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[str] = []

    async def set_many(self, entries: dict[str, CachedEntry], keep_s: float) -> None:
        self.written += list(entries)
        await super().set_many(entries, keep_s)


async def test_eight_callers_of_one_coalesced_call_write_its_answer_once(
    contacts: Contacts,
) -> None:
    """Sizing an entry costs up to its limit's worth of encoding: once per answer."""
    source = rest_source(contacts.url, resilience={"retries": 0})
    cache = CountingCache()
    connector = ResilientConnector(RestConnector("crm", source), source, breaker_factory(), cache)
    await connector.start()
    try:
        answers = await asyncio.gather(
            *(connector.fetch("contacts", "email", ["b@x.test"], timeout_s=5) for _ in range(8))
        )
    finally:
        await connector.close()
    assert contacts.requests == 1
    assert all(answer == answers[0] for answer in answers)
    assert cache.written == ["crm/contacts/email/b@x.test"]


def entry(records: Sequence[dict[str, object]]) -> CachedEntry:
    size = entry_bytes(list(records), 1_000_000)
    assert size is not None
    return CachedEntry(list(records), 0.0, 1.0, size)


async def test_the_memory_cache_lets_its_least_recent_entries_go_beyond_its_bytes() -> None:
    one = entry([{"notes": NOTE}])
    cache = MemoryCache(max_bytes=3 * one.size)
    await cache.set_many({"a": one, "b": one, "c": one}, keep_s=60)
    await cache.get_many(["a"])  # a was read: b is now the least recent
    await cache.set_many({"d": one}, keep_s=60)
    found = await cache.get_many(["a", "b", "c", "d"])
    assert [kept is not None for kept in found] == [True, False, True, True]
    assert cache.kept_bytes == 3 * one.size


async def test_an_entry_replaced_under_its_key_is_not_counted_twice() -> None:
    one = entry([{"notes": NOTE}])
    cache = MemoryCache(max_bytes=2 * one.size)
    for _ in range(5):
        await cache.set_many({"a": one}, keep_s=60)
    await cache.set_many({"b": one}, keep_s=60)
    assert [kept is not None for kept in await cache.get_many(["a", "b"])] == [True, True]
    assert cache.kept_bytes == 2 * one.size


def test_an_entry_is_sized_as_its_json_and_sizing_stops_past_the_limit() -> None:
    records: list[dict[str, object]] = [{"id": n, "notes": NOTE} for n in range(1_000)]
    assert entry_bytes(records[:3], 1_000_000) == len(orjson.dumps(records[:3]))
    assert entry_bytes(records, 1_000_000) is None  # about 3 MB
