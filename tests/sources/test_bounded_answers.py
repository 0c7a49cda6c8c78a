"""Source answers are bounded and checked: a sick or wrong source costs its own keys only.

Each test runs a small source of its own on 127.0.0.1 (an aiohttp app that can
answer too much, the wrong keys, the wrong place or the wrong shape) and reads
it through the real REST connector, behind the resilient connector where caching
and the breaker are what the test is about.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client import REGISTRY

from resolvers.system.mapping import build_mappers
from sources.answer_json import PARSE_INLINE_BYTES, parse_answer
from sources.cache import MemoryCache
from sources.config import RestSource, parse_sources_config
from sources.errors import SourceBadResponse, SourceUnavailable
from sources.resilient import MAP_STEP_RECORDS, ResilientConnector, breaker_factory, mapped_in_steps
from sources.rest import RestConnector

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class SickSource:
    """A source whose answer each test sets; counts the requests that reach it."""

    url: str = ""
    handler: Handler | None = None
    requests: int = 0
    sent_bytes: list[int] = field(default_factory=list)


@pytest.fixture
async def sick() -> AsyncIterator[SickSource]:
    source = SickSource()

    async def any_path(request: web.Request) -> web.StreamResponse:
        source.requests += 1
        assert source.handler is not None
        return await source.handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", any_path)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    source.url = str(server.make_url("")).rstrip("/")
    yield source
    await server.close()


def rest_source(url: str, **extra: Any) -> RestSource:
    """A contacts source keyed by email, as a user would declare it."""
    config = parse_sources_config(
        {
            "sources": {
                "crm": {
                    "kind": "rest",
                    "base_url": url,
                    "timeout_ms": 5_000,
                    "resilience": {"retries": 0, "breaker": {"failures": 2, "cooldown_s": 60}},
                    "entities": {
                        "contacts": {
                            "serves": "customer",
                            "lookups": {
                                "email": {
                                    "path": "/contacts",
                                    "query": {"emails": "{keys}"},
                                    "match_on": "email",
                                },
                                "location": {
                                    "path": "/forecast",
                                    "query": {
                                        "latitude": "{keys.latitude}",
                                        "longitude": "{keys.longitude}",
                                    },
                                    "match_on": "position",
                                    "echo": {"latitude": "latitude", "longitude": "longitude"},
                                    "echo_tolerance": 0.1,
                                },
                            },
                            "fields": {"id": "id"},
                            "records_at": "data",
                        }
                    },
                    **extra,
                }
            }
        }
    )
    source = config.sources["crm"]
    assert isinstance(source, RestSource)
    return source


async def connector_for(source: RestSource) -> RestConnector:
    connector = RestConnector("crm", source)
    await connector.start()
    return connector


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def streamed(total: int, sick: SickSource) -> Handler:
    """An endless-looking answer: ``total`` bytes in 64 KB chunks, no Content-Length."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        sent = 0
        chunk = b" " * 65_536
        try:
            await response.write(b'{"data": [')
            while sent < total:
                await response.write(chunk)
                sent += len(chunk)
            await response.write(b"]}")
        except (ConnectionError, RuntimeError):
            pass  # the client hung up: what we want to see
        finally:
            sick.sent_bytes.append(sent)
        return response

    return handler


async def test_an_answer_over_max_response_bytes_is_refused_while_it_is_read(
    sick: SickSource,
) -> None:
    total = 200 * 1024 * 1024
    sick.handler = streamed(total, sick)
    connector = await connector_for(rest_source(sick.url, max_response_bytes=256 * 1024))
    try:
        with pytest.raises(SourceBadResponse) as caught:
            await connector.fetch("contacts", "email", ["ann@x.com"], timeout_s=30)
    finally:
        await connector.close()
    message = str(caught.value)
    assert "crm" in message and "max_response_bytes" in message and "262,144" in message
    for _ in range(100):  # the server notices the hang-up on its next write
        if sick.sent_bytes:
            break
        await asyncio.sleep(0.05)
    assert sick.sent_bytes and sick.sent_bytes[0] < total // 4, "the answer was read to its end"


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    sick: SickSource,
) -> None:
    big = orjson.dumps({"data": [{"email": "ann@x.com", "pad": "x" * 4_000}] * 100})

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=big, content_type="application/json")

    sick.handler = handler
    connector = await connector_for(rest_source(sick.url, max_response_bytes=64 * 1024))
    try:
        with pytest.raises(SourceBadResponse, match="max_response_bytes"):
            await connector.fetch("contacts", "email", ["ann@x.com"], timeout_s=5)
    finally:
        await connector.close()


async def test_a_compressed_answer_is_bounded_by_its_unpacked_size(sick: SickSource) -> None:
    unpacked = orjson.dumps({"data": [{"email": "ann@x.com"}], "pad": " " * (4 * 1024 * 1024)})
    packed = gzip.compress(unpacked)
    assert len(packed) < 64 * 1024 < len(unpacked)

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=packed, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    sick.handler = handler
    connector = await connector_for(rest_source(sick.url, max_response_bytes=64 * 1024))
    try:
        with pytest.raises(SourceBadResponse, match="max_response_bytes"):
            await connector.fetch("contacts", "email", ["ann@x.com"], timeout_s=5)
    finally:
        await connector.close()


async def test_an_answer_within_the_limit_is_served_whole(sick: SickSource) -> None:
    records = [{"email": f"c{i}@x.com", "pad": "x" * 200} for i in range(2_000)]

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"data": records})

    sick.handler = handler
    keys = [f"c{i}@x.com" for i in range(2_000)]
    connector = await connector_for(rest_source(sick.url))
    try:
        answers = await connector.fetch("contacts", "email", keys, timeout_s=5)
    finally:
        await connector.close()
    assert answers == [[record] for record in records]


async def test_a_large_answer_is_parsed_in_steps_that_let_other_requests_run() -> None:
    records = [{"email": f"c{i}@x.com", "lines": [{"sku": "a", "n": i}] * 3} for i in range(40_000)]
    body = orjson.dumps({"meta": {"n": 40_000}, "data": records})
    assert len(body) > 10 * PARSE_INLINE_BYTES
    turns = 0
    parsing = True

    async def other_request() -> None:
        nonlocal turns
        while parsing:
            turns += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(other_request())
    await asyncio.sleep(0)
    try:
        parsed = await parse_answer(body, "data")
    finally:
        parsing = False
        await other
    assert parsed == orjson.loads(body)
    assert turns > 10, "the event loop was held for the whole parse"


@pytest.mark.parametrize(
    "body",
    [b'{"data": [1, 2', b'{"data": [1]} trailing', b'{"data": [NaN]}', b'{"data" [1]}', b"\xff"],
)
async def test_a_large_malformed_answer_is_a_bad_response_not_a_crash(body: bytes) -> None:
    padded = body + b" " * (PARSE_INLINE_BYTES + 1)
    with pytest.raises(ValueError, match=r"JSON|UTF-8|expected|extra"):
        await parse_answer(padded, "data")


async def test_records_for_keys_nobody_asked_are_dropped_and_counted(sick: SickSource) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"data": [{"email": "ANN@x.com"}, {"email": "eve@x.com"}, {"email": "mallory@x.com"}]}
        )

    sick.handler = handler
    before = metric(
        "c360_source_records_dropped_total", source="crm", entity="contacts", reason="unasked"
    )
    connector = await connector_for(rest_source(sick.url))
    try:
        answers = await connector.fetch(
            "contacts", "email", ["ann@x.com", "bob@x.com"], timeout_s=5
        )
    finally:
        await connector.close()
    assert answers == [[{"email": "ANN@x.com"}], []]
    after = metric(
        "c360_source_records_dropped_total", source="crm", entity="contacts", reason="unasked"
    )
    assert after - before == 2


async def test_an_answer_whose_records_lack_the_match_field_is_a_bad_response(
    sick: SickSource,
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"data": [{"mail": "ann@x.com"}, {"mail": "bob@x.com"}]})

    sick.handler = handler
    connector = await connector_for(rest_source(sick.url))
    try:
        with pytest.raises(SourceBadResponse, match=r"none of the 2 records has a 'email' value"):
            await connector.fetch("contacts", "email", ["ann@x.com", "bob@x.com"], timeout_s=5)
    finally:
        await connector.close()


def forecast(latitude: float, longitude: float) -> dict[str, Any]:
    return {"latitude": latitude, "longitude": longitude, "current": {"temperature_2m": 20.5}}


async def test_a_positional_answer_for_another_place_is_an_error_for_that_key_only(
    sick: SickSource,
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        # Open-Meteo snaps coordinates to its grid (within the tolerance), but the
        # second answer is for somewhere else entirely.
        return web.json_response({"data": [forecast(40.7125, -74.0), forecast(51.5, -0.12)]})

    sick.handler = handler
    connector = await connector_for(rest_source(sick.url))
    try:
        new_york, paris = await connector.fetch(
            "contacts", "location", ["40.71,-74.01", "48.86,2.35"], timeout_s=5
        )
    finally:
        await connector.close()
    assert new_york == [forecast(40.7125, -74.0)]
    assert isinstance(paris, SourceBadResponse)
    assert "record 1 is for another latitude" in str(paris)
    assert "48.86" not in str(paris), "the message must not carry a customer's place"


async def test_a_cached_positional_answer_is_never_another_customers_weather(
    sick: SickSource,
) -> None:
    """The wrong place is not cached for the key that asked: a later call asks the source again."""
    answers = [forecast(10.0, 10.0), forecast(48.86, 2.35)]

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"data": answers.pop(0)})

    sick.handler = handler
    source = rest_source(sick.url)
    connector = ResilientConnector(
        RestConnector("crm", source), source, breaker_factory(), MemoryCache()
    )
    await connector.start()
    try:
        [first] = await connector.fetch("contacts", "location", ["48.86,2.35"], timeout_s=5)
        [second] = await connector.fetch("contacts", "location", ["48.86,2.35"], timeout_s=5)
    finally:
        await connector.close()
    assert isinstance(first, SourceBadResponse)
    assert second == [forecast(48.86, 2.35)]
    assert sick.requests == 2


ORDERS_CONFIG: dict[str, Any] = {
    "sources": {
        "orders": {
            "kind": "rest",
            "base_url": "http://127.0.0.1:9",
            "resilience": {
                "retries": 0,
                "cache_ttl_s": 300,
                "breaker": {"failures": 2, "cooldown_s": 60},
            },
            "entities": {
                "rfm_cutpoints": {
                    "serves": "rfm_cutpoints",
                    "records_at": "",
                    "lookups": {"all": {"path": "/stats/rfm", "match_on": "position"}},
                    "fields": {
                        "as_of": "as_of",
                        "recency_days": "recency_days",
                        "frequency": "frequency",
                        "monetary": "monetary",
                    },
                }
            },
        }
    }
}

CUT_POINTS = {
    "as_of": "2026-12-01T00:00:00+00:00",
    "recency_days": [30, 60, 90, 180],
    "frequency": [1, 2, 3, 5],
    "monetary": [100, 200, 400, 800],
}


async def rfm_connector(url: str) -> tuple[ResilientConnector, Callable[..., Any]]:
    raw = orjson.loads(orjson.dumps(ORDERS_CONFIG))
    raw["sources"]["orders"]["base_url"] = url
    config = parse_sources_config(raw)
    source = config.sources["orders"]
    mapper = build_mappers(config)[("orders", "rfm_cutpoints")]
    connector = ResilientConnector(
        RestConnector("orders", source), source, breaker_factory(), MemoryCache()
    )
    await connector.start()
    return connector, mapper.map_many


async def test_a_malformed_aggregate_answer_is_not_cached_as_fresh(sick: SickSource) -> None:
    shapes = [{"data": "oops"}, CUT_POINTS]

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(shapes[0])

    sick.handler = handler
    connector, mapped_by = await rfm_connector(sick.url)
    try:
        [bad] = await connector.fetch(
            "rfm_cutpoints", "all", ["all"], timeout_s=5, mapped_by=mapped_by
        )
        shapes.pop(0)  # the source is healthy again
        [good] = await connector.fetch(
            "rfm_cutpoints", "all", ["all"], timeout_s=5, mapped_by=mapped_by
        )
        [cached] = await connector.fetch(
            "rfm_cutpoints", "all", ["all"], timeout_s=5, mapped_by=mapped_by
        )
    finally:
        await connector.close()
    assert isinstance(bad, SourceBadResponse) and "as_of" in str(bad)
    assert isinstance(good, list) and good[0].frequency == (1, 2, 3, 5)
    assert cached == good
    assert sick.requests == 2, "the good answer is cached for its cache_ttl_s, the bad one never"


async def test_answers_that_fail_mapping_open_the_breaker(sick: SickSource) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"data": "oops"})

    sick.handler = handler
    connector, mapped_by = await rfm_connector(sick.url)
    before = metric("c360_source_requests_total", source="orders", outcome="SOURCE_BAD_RESPONSE")
    try:
        for _ in range(2):
            [bad] = await connector.fetch(
                "rfm_cutpoints", "all", ["all"], timeout_s=5, mapped_by=mapped_by
            )
            assert isinstance(bad, SourceBadResponse)
        assert connector.status.breaker == "opened"
        [fast] = await connector.fetch(
            "rfm_cutpoints", "all", ["all"], timeout_s=5, mapped_by=mapped_by
        )
    finally:
        await connector.close()
    assert isinstance(fast, SourceUnavailable)
    assert sick.requests == 2
    after = metric("c360_source_requests_total", source="orders", outcome="SOURCE_BAD_RESPONSE")
    assert after - before == 2


async def test_a_stale_answer_stands_in_for_one_that_fails_mapping(sick: SickSource) -> None:
    shapes: list[Any] = [CUT_POINTS, {"as_of": "not a time"}]

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(shapes.pop(0))

    sick.handler = handler
    raw = orjson.loads(orjson.dumps(ORDERS_CONFIG))
    raw["sources"]["orders"]["resilience"]["cache_ttl_s"] = 0
    raw["sources"]["orders"]["base_url"] = sick.url
    config = parse_sources_config(raw)
    source = config.sources["orders"]
    mapped_by = build_mappers(config)[("orders", "rfm_cutpoints")].map_many
    connector = ResilientConnector(
        RestConnector("orders", source), source, breaker_factory(), MemoryCache()
    )
    await connector.start()
    try:
        [good] = await connector.fetch(
            "rfm_cutpoints", "all", ["all"], timeout_s=5, mapped_by=mapped_by
        )
        [stale] = await connector.fetch(
            "rfm_cutpoints", "all", ["all"], timeout_s=5, mapped_by=mapped_by
        )
    finally:
        await connector.close()
    assert stale == good


async def test_breaker_fast_fails_are_not_counted_as_source_requests(sick: SickSource) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"error": "down"}, status=503)

    sick.handler = handler
    source = rest_source(sick.url)
    connector = ResilientConnector(RestConnector("crm", source), source, breaker_factory(), None)
    await connector.start()

    def requests_counted() -> float:
        return sum(
            metric("c360_source_requests_total", source="crm", outcome=outcome)
            for outcome in ("ok", "SOURCE_UNAVAILABLE", "SOURCE_TIMEOUT", "SOURCE_BAD_RESPONSE")
        )

    before = requests_counted()
    fast_before = metric("c360_source_fast_fails_total", source="crm")
    try:
        for i in range(12):
            [answer] = await connector.fetch("contacts", "email", [f"c{i}@x.com"], timeout_s=5)
            assert isinstance(answer, SourceUnavailable)
    finally:
        await connector.close()
    assert sick.requests == 2
    assert requests_counted() - before == sick.requests
    assert metric("c360_source_fast_fails_total", source="crm") - fast_before == 10
    assert connector.status.calls == 2 and connector.status.fast_fails == 10


async def test_one_answer_for_another_place_in_a_batch_costs_only_its_key(
    sick: SickSource,
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"data": [forecast(40.71, -74.01), forecast(10.0, 10.0)]})

    sick.handler = handler
    source = rest_source(
        sick.url,
        resilience={"retries": 0, "cache_ttl_s": 60, "breaker": {"failures": 5, "cooldown_s": 60}},
    )
    connector = ResilientConnector(
        RestConnector("crm", source), source, breaker_factory(), MemoryCache()
    )
    await connector.start()
    try:
        first = await connector.fetch(
            "contacts", "location", ["40.71,-74.01", "48.86,2.35"], timeout_s=5
        )
        [again] = await connector.fetch("contacts", "location", ["40.71,-74.01"], timeout_s=5)
    finally:
        await connector.close()
    assert first[0] == [forecast(40.71, -74.01)]
    assert isinstance(first[1], SourceBadResponse)
    assert again == first[0] and sick.requests == 1, "the good key's answer was cached"
    assert connector.status.failures == 1, "the breaker heard of the wrong answer"


async def test_a_huge_answer_is_mapped_in_steps_that_let_other_requests_run() -> None:
    raw = [{"n": n} for n in range(5 * MAP_STEP_RECORDS + 1)]
    turns = 0
    mapping = True

    async def other_request() -> None:
        nonlocal turns
        while mapping:
            turns += 1
            await asyncio.sleep(0)

    def double(records: list[dict[str, Any]]) -> list[int]:
        return [record["n"] * 2 for record in records]

    other = asyncio.create_task(other_request())
    await asyncio.sleep(0)
    try:
        [mapped] = await mapped_in_steps([raw], double)
    finally:
        mapping = False
        await other
    assert mapped == [n * 2 for n in range(len(raw))]
    assert turns >= 5


async def test_a_bad_record_deep_in_a_huge_answer_fails_its_key_only() -> None:
    def strict(records: list[dict[str, Any]]) -> list[int]:
        for index, record in enumerate(records):
            if record["n"] is None:
                raise SourceBadResponse("orders", f"orders record {index}: 'n' is missing")
        return [record["n"] for record in records]

    huge: list[dict[str, Any]] = [{"n": n} for n in range(3 * MAP_STEP_RECORDS)]
    huge[2 * MAP_STEP_RECORDS + 7] = {"n": None}
    bad, good = await mapped_in_steps([huge, [{"n": 1}]], strict)
    assert isinstance(bad, SourceBadResponse)
    assert f"(of the records from {2 * MAP_STEP_RECORDS})" in str(bad)
    assert good == [1]
