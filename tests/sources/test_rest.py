"""The REST connector against a real HTTP server on 127.0.0.1, configured as a user would.

The server is a small aiohttp app of the test's own: it records every request it
gets and answers what each test tells it to, so each test pins what goes over the
wire (batching, bodies, headers, paths) and how each kind of bad answer surfaces.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from sources.config import RestSource, parse_sources_config
from sources.errors import (
    SourceBadResponse,
    SourceError,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
)
from sources.rest import RestConnector

Answer = Callable[[web.Request], Any]
"""What the fake source answers: a JSON-able value, or a ready ``web.Response``."""


@dataclass
class Seen:
    """One request as the fake source received it."""

    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class FakeSource:
    """A source system on 127.0.0.1 that records requests and answers with ``answer``."""

    url: str
    seen: list[Seen] = field(default_factory=list)
    answer: Answer = lambda request: {"data": []}
    released: asyncio.Event = field(default_factory=asyncio.Event)
    """Handlers that ``hang`` wait for this; set at teardown so the server can stop."""

    async def hang(self) -> None:
        await self.released.wait()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSource]:
    source = FakeSource(url="")

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        source.seen.append(
            Seen(
                request.method,
                request.path,
                request.raw_path,
                dict(request.query),
                body,
                dict(request.headers),
            )
        )
        answer = source.answer(request)
        if asyncio.iscoroutine(answer):
            answer = await answer
        if isinstance(answer, web.StreamResponse):
            return answer
        return web.json_response(answer)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    source.url = str(server.make_url("")).rstrip("/")
    try:
        yield source
    finally:
        source.released.set()
        await server.close()


def rest_source(url: str, entity: dict[str, Any], **settings: Any) -> RestSource:
    """A REST source named ``crm`` with one entity ``contacts``, through the config parser."""
    raw = {"kind": "rest", "base_url": url, "entities": {"contacts": entity}, **settings}
    parsed = parse_sources_config({"sources": {"crm": raw}}).sources["crm"]
    assert isinstance(parsed, RestSource)
    return parsed


def contacts(lookups: dict[str, Any], records_at: str = "data") -> dict[str, Any]:
    return {
        "serves": "contacts",
        "records_at": records_at,
        "lookups": lookups,
        "fields": {"id": "id"},
    }


@pytest.fixture
async def connect() -> AsyncIterator[Callable[[RestSource], Any]]:
    """Start connectors for the test and close them after it."""
    started: list[RestConnector] = []

    async def start(source: RestSource) -> RestConnector:
        connector = RestConnector("crm", source)
        await connector.start()
        started.append(connector)
        return connector

    yield start
    for connector in started:
        await connector.close()


BY_EMAIL = {"email": {"path": "/contacts", "query": {"emails": "{keys}"}, "match_on": "email"}}


async def test_a_batch_is_one_get_with_the_keys_joined_by_commas(
    fake: FakeSource, connect: Any
) -> None:
    fake.answer = lambda request: {
        "data": [
            {"id": "C-2", "email": "BOB@example.org"},
            {"id": "C-1", "email": "Ann@Example.com"},
        ]
    }
    crm: RestConnector = await connect(rest_source(fake.url, contacts(BY_EMAIL)))
    keys = ["ann@example.com", "bob@example.org", "nobody@example.net"]
    found = await crm.fetch("contacts", "email", keys, timeout_s=5)
    assert [(s.method, s.path, s.query) for s in fake.seen] == [
        ("GET", "/contacts", {"emails": "ann@example.com,bob@example.org,nobody@example.net"})
    ]
    assert found == [
        [{"id": "C-1", "email": "Ann@Example.com"}],
        [{"id": "C-2", "email": "BOB@example.org"}],
        [],
    ]


async def test_more_keys_than_max_batch_are_split_and_answered_in_key_order(
    fake: FakeSource, connect: Any
) -> None:
    fake.answer = lambda request: {
        "data": [{"id": key} for key in reversed(request.query["ids"].split(","))]
    }
    lookups = {
        "id": {"path": "/contacts", "query": {"ids": "{keys}"}, "match_on": "id", "max_batch": 2}
    }
    crm: RestConnector = await connect(rest_source(fake.url, contacts(lookups)))
    keys = ["C-1", "C-2", "C-3", "C-4", "C-5"]
    found = await crm.fetch("contacts", "id", keys, timeout_s=5)
    assert sorted(s.query["ids"] for s in fake.seen) == ["C-1,C-2", "C-3,C-4", "C-5"]
    assert found == [[{"id": key}] for key in keys]


async def test_a_post_lookup_sends_the_keys_as_a_json_list_in_its_body(
    fake: FakeSource, connect: Any
) -> None:
    fake.answer = lambda request: {"data": [{"id": "C-1", "email": "ann@example.com"}]}
    lookups = {
        "email": {
            "method": "POST",
            "path": "/contacts/search",
            "json_body": {"emails": "{keys}", "limit": 500, "filter": {"status": "active"}},
            "match_on": "email",
        }
    }
    crm: RestConnector = await connect(rest_source(fake.url, contacts(lookups)))
    found = await crm.fetch(
        "contacts", "email", ["ann@example.com", "bob@example.org"], timeout_s=5
    )
    [seen] = fake.seen
    assert (seen.method, seen.path) == ("POST", "/contacts/search")
    assert seen.body == {
        "emails": ["ann@example.com", "bob@example.org"],
        "limit": 500,
        "filter": {"status": "active"},
    }
    assert seen.headers["Content-Type"].startswith("application/json")
    assert found == [[{"id": "C-1", "email": "ann@example.com"}], []]


async def test_key_in_the_path_makes_one_request_per_key_with_the_key_escaped(
    fake: FakeSource, connect: Any
) -> None:
    fake.answer = lambda request: {"data": [{"order": request.match_info["tail"]}]}
    lookups = {"id": {"path": "/customers/{key}/orders"}}
    crm: RestConnector = await connect(rest_source(fake.url, contacts(lookups)))
    keys = ["OC-1", "OC 2/x"]
    found = await crm.fetch("contacts", "id", keys, timeout_s=5)
    # The slash inside a key is escaped: it stays part of the key, not a step of the path.
    assert sorted(s.raw_path for s in fake.seen) == [
        "/customers/OC%202%2Fx/orders",
        "/customers/OC-1/orders",
    ]
    # Every record a per-key request answers is that key's: no match field needed.
    assert found == [
        [{"order": "customers/OC-1/orders"}],
        [{"order": "customers/OC 2/x/orders"}],
    ]


async def test_a_base_url_with_a_path_keeps_its_path(fake: FakeSource, connect: Any) -> None:
    crm: RestConnector = await connect(rest_source(fake.url + "/api/v2", contacts(BY_EMAIL)))
    await crm.fetch("contacts", "email", ["ann@example.com"], timeout_s=5)
    assert [s.path for s in fake.seen] == ["/api/v2/contacts"]


async def test_records_are_found_at_a_dotted_path(fake: FakeSource, connect: Any) -> None:
    fake.answer = lambda request: {"result": {"page": {"items": [{"email": "ann@example.com"}]}}}
    crm: RestConnector = await connect(
        rest_source(fake.url, contacts(BY_EMAIL, records_at="result.page.items"))
    )
    found = await crm.fetch("contacts", "email", ["ann@example.com"], timeout_s=5)
    assert found == [[{"email": "ann@example.com"}]]


async def test_an_answer_without_a_list_at_records_at_is_a_bad_response(
    fake: FakeSource, connect: Any
) -> None:
    fake.answer = lambda request: {"result": {"page": "oops"}}
    crm: RestConnector = await connect(
        rest_source(fake.url, contacts(BY_EMAIL, records_at="result.page.items"))
    )
    with pytest.raises(SourceBadResponse) as caught:
        await crm.fetch("contacts", "email", ["ann@example.com"], timeout_s=5)
    assert "result.page.items" in caught.value.detail


async def test_composite_keys_fill_their_parts_and_position_matches_records_to_keys(
    fake: FakeSource, connect: Any
) -> None:
    def forecast(request: web.Request) -> Any:
        pairs = zip(
            request.query["latitude"].split(","),
            request.query["longitude"].split(","),
            strict=True,
        )
        return [{"latitude": float(lat), "longitude": float(lon)} for lat, lon in pairs]

    fake.answer = forecast
    lookups = {
        "location": {
            "path": "/v1/forecast",
            "query": {"latitude": "{keys.latitude}", "longitude": "{keys.longitude}"},
            "match_on": "position",
        }
    }
    crm: RestConnector = await connect(rest_source(fake.url, contacts(lookups, records_at="")))
    found = await crm.fetch("contacts", "location", ["52.52,13.41", "48.85,2.35"], timeout_s=5)
    assert fake.seen[0].query == {"latitude": "52.52,48.85", "longitude": "13.41,2.35"}
    assert found == [
        [{"latitude": 52.52, "longitude": 13.41}],
        [{"latitude": 48.85, "longitude": 2.35}],
    ]


async def test_position_matching_refuses_an_answer_with_another_number_of_records(
    fake: FakeSource, connect: Any
) -> None:
    fake.answer = lambda request: [{"latitude": 52.52, "longitude": 13.41}]
    lookups = {
        "location": {
            "path": "/v1/forecast",
            "query": {"latitude": "{keys.latitude}", "longitude": "{keys.longitude}"},
            "match_on": "position",
        }
    }
    crm: RestConnector = await connect(rest_source(fake.url, contacts(lookups, records_at="")))
    with pytest.raises(SourceBadResponse):
        await crm.fetch("contacts", "location", ["52.52,13.41", "48.85,2.35"], timeout_s=5)


async def test_configured_headers_are_sent_with_every_request(
    fake: FakeSource, connect: Any
) -> None:
    headers = {"Authorization": "Bearer s3cret", "X-Api-Key": "k-123"}
    crm: RestConnector = await connect(rest_source(fake.url, contacts(BY_EMAIL), headers=headers))
    await crm.fetch("contacts", "email", ["ann@example.com"], timeout_s=5)
    [seen] = fake.seen
    assert seen.headers["Authorization"] == "Bearer s3cret"
    assert seen.headers["X-Api-Key"] == "k-123"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, SourceUnavailable),
        (502, SourceUnavailable),
        (503, SourceUnavailable),
        (400, SourceRejected),
        (401, SourceRejected),
        (404, SourceRejected),
        (429, SourceRejected),
    ],
)
async def test_http_errors_map_to_their_error_type(
    fake: FakeSource, connect: Any, status: int, error: type[SourceError]
) -> None:
    fake.answer = lambda request: web.json_response({"error": "no"}, status=status)
    crm: RestConnector = await connect(rest_source(fake.url, contacts(BY_EMAIL)))
    with pytest.raises(error) as caught:
        await crm.fetch("contacts", "email", ["ann@example.com"], timeout_s=5)
    assert type(caught.value) is error
    assert (caught.value.source, caught.value.entity) == ("crm", "contacts")
    assert str(status) in caught.value.detail


@pytest.mark.parametrize(
    "body", [b"<html>not json</html>", b'{"data": [', b"", b"\xff\xfe not utf-8"]
)
async def test_an_answer_that_is_not_json_is_a_bad_response(
    fake: FakeSource, connect: Any, body: bytes
) -> None:
    fake.answer = lambda request: web.Response(body=body, content_type="application/json")
    crm: RestConnector = await connect(rest_source(fake.url, contacts(BY_EMAIL)))
    with pytest.raises(SourceBadResponse) as caught:
        await crm.fetch("contacts", "email", ["ann@example.com"], timeout_s=5)
    assert caught.value.extensions == {"code": "SOURCE_BAD_RESPONSE", "source": "crm"}


async def test_the_callers_budget_ends_a_hanging_request_with_a_timeout(
    fake: FakeSource, connect: Any
) -> None:
    fake.answer = lambda request: fake.hang()
    crm: RestConnector = await connect(rest_source(fake.url, contacts(BY_EMAIL)))
    with pytest.raises(SourceTimeout) as caught:
        await crm.fetch("contacts", "email", ["ann@example.com"], timeout_s=0.2)
    assert (caught.value.source, caught.value.code) == ("crm", "SOURCE_TIMEOUT")


async def test_the_sources_own_timeout_ends_a_hanging_request_with_a_timeout(
    fake: FakeSource, connect: Any
) -> None:
    fake.answer = lambda request: fake.hang()
    crm: RestConnector = await connect(rest_source(fake.url, contacts(BY_EMAIL), timeout_ms=200))
    with pytest.raises(SourceTimeout):
        await crm.fetch("contacts", "email", ["ann@example.com"], timeout_s=30)


async def test_a_refused_connection_is_unavailable(connect: Any) -> None:
    with socket.socket() as probe:  # a port bound but never listened on: connections refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        crm: RestConnector = await connect(
            rest_source(f"http://127.0.0.1:{port}", contacts(BY_EMAIL))
        )
        with pytest.raises(SourceUnavailable):
            await crm.fetch("contacts", "email", ["ann@example.com"], timeout_s=5)


async def test_a_connector_that_was_never_started_is_unavailable(fake: FakeSource) -> None:
    crm = RestConnector("crm", rest_source(fake.url, contacts(BY_EMAIL)))
    with pytest.raises(SourceUnavailable, match="not started"):
        await crm.fetch("contacts", "email", ["ann@example.com"], timeout_s=5)
    assert fake.seen == []
