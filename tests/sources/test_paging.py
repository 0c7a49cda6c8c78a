"""Paging: next links, cursors and numbered pages followed to the end, and loops refused.

Against a real aiohttp server on 127.0.0.1 (``test_rest``'s fake source); each
page is a request the server counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from prometheus_client import REGISTRY

from sources.breaker import Breakers
from sources.budget import count_calls_of_request
from sources.config import parse_sources_config
from sources.errors import ConfigError, SourceBadResponse, SourceBudgetExceeded
from sources.resilient import ResilientConnector
from sources.rest import RestConnector
from tests.sources.test_rest import FakeSource, connect, contacts, fake, rest_source

__all__ = ["connect", "fake"]

ORDERS = [{"id": f"o{n}", "email": "ann@x.com" if n % 2 else "bob@x.com"} for n in range(7)]


def lookup(paging: dict[str, Any]) -> dict[str, Any]:
    return {
        "email": {
            "path": "/orders",
            "query": {"emails": "{keys}"},
            "match_on": "email",
            "paging": paging,
        }
    }


def pages_counted() -> float:
    return REGISTRY.get_sample_value("c360_source_pages_total", {"source": "crm"}) or 0.0


def by_next_link(request: web.Request) -> Any:
    start = int(request.query.get("from", "0"))
    page = ORDERS[start : start + 3]
    following = start + 3
    link = f"/orders?emails={request.query['emails']}&from={following}"
    return {"data": page, "links": {"next": link if following < len(ORDERS) else None}}


async def test_next_links_are_followed_to_the_end_each_page_one_request(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = by_next_link
    crm = await connect(rest_source(fake.url, contacts(lookup({"next": "links.next"}))))
    pages_before = pages_counted()

    ann, bob = await crm.fetch("contacts", "email", ["ann@x.com", "bob@x.com"], timeout_s=5)

    assert [r["id"] for r in ann] == ["o1", "o3", "o5"]
    assert [r["id"] for r in bob] == ["o0", "o2", "o4", "o6"]
    assert [s.query.get("from") for s in fake.seen] == [None, "3", "6"]
    assert pages_counted() == pages_before + 2  # the pages after the first


async def test_a_cursor_is_sent_back_until_the_source_gives_none(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    def answer(request: web.Request) -> Any:
        start = int(request.query.get("cursor", "0"))
        following = start + 4 if start + 4 < len(ORDERS) else None
        return {"data": ORDERS[start : start + 4], "meta": {"next_cursor": following}}

    fake.answer = answer
    paging = {"cursor_at": "meta.next_cursor", "cursor_param": "cursor"}
    crm = await connect(rest_source(fake.url, contacts(lookup(paging))))

    (ann,) = await crm.fetch("contacts", "email", ["ann@x.com"], timeout_s=5)

    assert [r["id"] for r in ann] == ["o1", "o3", "o5"]
    assert [s.query.get("cursor") for s in fake.seen] == [None, "4"]
    assert fake.seen[1].query["emails"] == "ann@x.com"


async def test_numbered_pages_stop_at_the_total(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    def answer(request: web.Request) -> Any:
        page, size = int(request.query["page"]), int(request.query["size"])
        items = ORDERS[(page - 1) * size : page * size]
        return {"data": items, "meta": {"total": len(ORDERS)}}

    fake.answer = answer
    paging = {"page_param": "page", "size_param": "size", "size": 3, "total_at": "meta.total"}
    crm = await connect(rest_source(fake.url, contacts(lookup(paging))))

    (bob,) = await crm.fetch("contacts", "email", ["bob@x.com"], timeout_s=5)

    assert [r["id"] for r in bob] == ["o0", "o2", "o4", "o6"]
    assert [s.query["page"] for s in fake.seen] == ["1", "2", "3"]


async def test_the_same_cursor_twice_is_a_bad_response_not_a_hang(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: {"data": ORDERS[:2], "meta": {"next_cursor": "abc"}}
    paging = {"cursor_at": "meta.next_cursor", "cursor_param": "cursor"}
    crm = await connect(rest_source(fake.url, contacts(lookup(paging))))

    with pytest.raises(SourceBadResponse) as caught:
        await crm.fetch("contacts", "email", ["ann@x.com"], timeout_s=5)

    assert str(caught.value) == "crm: contacts: paging does not end: the same cursor twice"
    assert (caught.value.source, caught.value.entity) == ("crm", "contacts")
    assert len(fake.seen) == 2


async def test_more_pages_than_max_pages_is_a_bad_response(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    def answer(request: web.Request) -> Any:
        cursor = int(request.query.get("cursor", "0"))
        return {"data": ORDERS[:1], "meta": {"next_cursor": cursor + 1}}

    fake.answer = answer
    paging = {"cursor_at": "meta.next_cursor", "cursor_param": "cursor", "max_pages": 4}
    crm = await connect(rest_source(fake.url, contacts(lookup(paging))))

    with pytest.raises(SourceBadResponse, match=r"more than max_pages \(4\)"):
        await crm.fetch("contacts", "email", ["ann@x.com"], timeout_s=5)
    assert len(fake.seen) == 4


async def test_a_next_link_to_another_host_is_not_followed(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: {"data": [], "links": {"next": "http://evil.example/steal"}}
    crm = await connect(rest_source(fake.url, contacts(lookup({"next": "links.next"}))))

    with pytest.raises(SourceBadResponse, match="another host"):
        await crm.fetch("contacts", "email", ["ann@x.com"], timeout_s=5)
    assert len(fake.seen) == 1


async def test_each_page_counts_against_the_budget_of_the_request(fake: FakeSource) -> None:
    fake.answer = by_next_link
    source = rest_source(
        fake.url,
        contacts(lookup({"next": "links.next"})),
        budget={"max_calls_per_request": 2, "concurrency": 1},
        resilience={"retries": 0},
    )
    connector = ResilientConnector(RestConnector("crm", source), source, Breakers(), None)
    await connector.start()
    try:
        calls = count_calls_of_request()
        (answer,) = await connector.fetch("contacts", "email", ["ann@x.com"], timeout_s=5)
    finally:
        await connector.close()

    assert isinstance(answer, SourceBudgetExceeded)
    assert answer.budget == "max_calls_per_request"
    assert calls["crm"] == 2
    assert len(fake.seen) == 2


@pytest.mark.parametrize(
    ("paging", "expected"),
    [
        ({}, "give exactly one of"),
        ({"next": "a", "page_param": "p"}, "got next and page_param"),
        ({"cursor_at": "meta.c"}, "go together"),
        ({"next": "a", "total_at": "t"}, "for numbered pages"),
    ],
)
def test_bad_paging_fails_at_load(paging: dict[str, Any], expected: str) -> None:
    entity = contacts(lookup(paging))
    raw = {"kind": "rest", "base_url": "http://x", "entities": {"contacts": entity}}
    with pytest.raises(ConfigError) as caught:
        parse_sources_config({"sources": {"crm": raw}})
    assert "source 'crm', field 'entities.contacts.lookups.email.paging'" in str(caught.value)
    assert expected in str(caught.value)
