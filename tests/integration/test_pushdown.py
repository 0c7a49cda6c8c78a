"""Argument pushdown end to end: field arguments reach the systems that filter by themselves.

Four systems of our own on 127.0.0.1, each recording the query parameters of
every request it gets: orders and billing limit per customer (``per_customer``),
support declares a ticket ``state`` filter but ignores it, web analytics takes a
``from`` *date* (coarser than the ``since`` asked). Answers must be exactly what
the gateway's own filtering gives, whatever each system did with what it got.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from gateway.settings import Settings
from tests.demo_harness import DemoSources, GatewayServer, graphql
from tests.integration.world import planted

CONTACTS = [
    {"id": "C-1", "first": "Ada", "mail": "ada@example.com"},
    {"id": "C-2", "first": "Alan", "mail": "alan@example.com"},
]
ORDERS = [
    {"no": "O-11", "email": "ada@example.com", "at": "2026-11-01T10:00:00Z", "total": 11.0},
    {"no": "O-12", "email": "ada@example.com", "at": "2026-11-02T10:00:00Z", "total": 12.0},
    {"no": "O-13", "email": "ada@example.com", "at": "2026-11-03T10:00:00Z", "total": 13.0},
    {"no": "O-21", "email": "alan@example.com", "at": "2026-11-04T10:00:00Z", "total": 21.0},
    {"no": "O-22", "email": "alan@example.com", "at": "2026-11-05T10:00:00Z", "total": 22.0},
]
TICKETS = [
    {"no": "T-1", "email": "ada@example.com", "state": "open", "at": "2026-11-01T10:00:00Z"},
    {"no": "T-2", "email": "ada@example.com", "state": "closed", "at": "2026-11-02T10:00:00Z"},
    {"no": "T-3", "email": "ada@example.com", "state": "OPEN", "at": "2026-11-03T10:00:00Z"},
]
INVOICES = [
    {"no": "I-1", "email": "ada@example.com", "status": "paid", "on": "2026-11-02", "amount": 5.0},
    {
        "no": "I-2",
        "email": "ada@example.com",
        "status": "unpaid",
        "on": "2026-10-01",
        "amount": 7.0,
    },
]
VISITS = [
    {"sid": "V-1", "email": "ada@example.com", "at": "2026-11-01T23:00:00Z"},
    {"sid": "V-2", "email": "ada@example.com", "at": "2026-11-02T08:00:00Z"},
    {"sid": "V-3", "email": "ada@example.com", "at": "2026-11-02T18:00:00Z"},
]

Asked = list[tuple[str, dict[str, str]]]
"""Per request, in order: the system and the query parameters it got."""


def _of(records: list[dict[str, Any]], emails: str) -> list[dict[str, Any]]:
    wanted = set(emails.split(","))
    return [r for r in records if r["email"] in wanted]


def _newest_per_customer(
    records: list[dict[str, Any]], query: Any, newest: str
) -> list[dict[str, Any]]:
    """The records of the emails asked, newest first; each customer's newest N with per_customer."""
    found = sorted(_of(records, query["emails"]), key=lambda r: r[newest], reverse=True)
    limit = query.get("per_customer")
    if limit is None:
        return found
    kept: list[dict[str, Any]] = []
    for record in found:
        if sum(1 for k in kept if k["email"] == record["email"]) < int(limit):
            kept.append(record)
    return kept


def systems_app(asked: Asked) -> web.Application:
    async def contacts(request: web.Request) -> web.Response:
        asked.append(("crm", dict(request.query)))
        ids = set(request.query["ids"].split(","))
        return web.json_response({"data": [c for c in CONTACTS if c["id"] in ids]})

    async def orders(request: web.Request) -> web.Response:
        asked.append(("orders", dict(request.query)))
        return web.json_response({"data": _newest_per_customer(ORDERS, request.query, "at")})

    async def tickets(request: web.Request) -> web.Response:
        asked.append(("support", dict(request.query)))
        return web.json_response({"data": _of(TICKETS, request.query["emails"])})  # ignores state

    async def invoices(request: web.Request) -> web.Response:
        asked.append(("billing", dict(request.query)))
        return web.json_response({"data": _newest_per_customer(INVOICES, request.query, "on")})

    async def visits(request: web.Request) -> web.Response:
        asked.append(("web", dict(request.query)))
        found = _of(VISITS, request.query["emails"])
        day = request.query.get("from")
        if day is not None:  # whole days only: coarser than the moment asked
            found = [v for v in found if v["at"][:10] >= day]
        return web.json_response({"data": found})

    app = web.Application()
    app.router.add_get("/crm/contacts", contacts)
    app.router.add_get("/orders/orders", orders)
    app.router.add_get("/support/tickets", tickets)
    app.router.add_get("/billing/invoices", invoices)
    app.router.add_get("/web/visits", visits)
    return app


def pushdown_config(base_url: str) -> dict[str, Any]:
    def rest(prefix: str, serves: str, lookup: dict[str, Any], fields: dict[str, Any]) -> Any:
        entity = {"serves": serves, "lookups": lookup, "fields": fields}
        return {"kind": "rest", "base_url": f"{base_url}/{prefix}", "entities": {serves: entity}}

    def by_email(path: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return {"email": {"path": path, "query": {"emails": "{keys}"}, "match_on": "email",
                          "arguments": arguments}}  # fmt: skip

    return {
        "sources": {
            "crm": rest("crm", "customer",
                        {"id": {"path": "/contacts", "query": {"ids": "{keys}"}, "match_on": "id"}},
                        {"id": "id", "first_name": "first", "email": "mail"}),
            "orders": rest("orders", "orders",
                           by_email("/orders", {"limit": {"param": "per_customer",
                                                          "per_key": True}}),
                           {"id": "no", "placed_at": "at", "total": "total"}),
            "support": rest("support", "tickets", by_email("/tickets", {"status": "state"}),
                            {"id": "no", "status": "state", "created_at": "at"}),
            "billing": rest("billing", "invoices",
                            by_email("/invoices", {"limit": {"param": "per_customer",
                                                             "per_key": True}}),
                            {"id": "no", "status": "status", "amount": "amount",
                             "issued_on": "on"}),
            "web": rest("web", "web_visits",
                        by_email("/visits", {"since": {"param": "from", "format": "date"}}),
                        {"id": "sid", "started_at": "at"}),
        }
    }  # fmt: skip


@pytest.fixture
async def systems() -> AsyncIterator[tuple[str, Asked]]:
    asked: Asked = []
    runner = web.AppRunner(systems_app(asked))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", asked
    await runner.cleanup()


@pytest.fixture
def gateway(systems: tuple[str, Asked], tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(pushdown_config(systems[0]), sort_keys=False), "utf-8")
    settings = Settings(sources_file=path, source_urls={}, gc_threshold=0)
    with GatewayServer(settings) as server:
        yield server.url


def _asked_by(asked: Asked, system: str) -> list[dict[str, str]]:
    return [query for name, query in asked if name == system]


async def test_each_argument_reaches_the_system_that_takes_it_and_answers_stay_exact(
    gateway: str, systems: tuple[str, Asked]
) -> None:
    _, asked = systems
    _, body = await graphql(
        gateway,
        """{ customer(id: "C-1") {
              orders(limit: 2) { id }
              tickets(status: "open") { id status }
              invoices(limit: 1) { id }
              webVisits(since: "2026-11-02T12:00:00+02:00") { id }
            } }""",
    )
    assert "errors" not in body, body.get("errors")
    customer = body["data"]["customer"]
    assert [o["id"] for o in customer["orders"]] == ["O-13", "O-12"]
    # support ignored state=open and sent the closed one too: it must not widen the answer.
    assert customer["tickets"] == [{"id": "T-3", "status": "OPEN"}, {"id": "T-1", "status": "open"}]
    assert customer["invoices"] == [{"id": "I-1"}]
    # web filtered by the whole day 2026-11-02 (UTC); 10:00Z is the moment asked.
    assert customer["webVisits"] == [{"id": "V-3"}]
    assert _asked_by(asked, "orders") == [{"emails": "ada@example.com", "per_customer": "2"}]
    assert _asked_by(asked, "support") == [{"emails": "ada@example.com", "state": "open"}]
    assert _asked_by(asked, "billing") == [{"emails": "ada@example.com", "per_customer": "1"}]
    assert _asked_by(asked, "web") == [{"emails": "ada@example.com", "from": "2026-11-02"}]


async def test_distinct_argument_sets_batch_apart_one_request_each(
    gateway: str, systems: tuple[str, Asked]
) -> None:
    """Fields in a fragment are not loaded ahead: each set goes to the source as it is."""
    _, asked = systems
    _, body = await graphql(
        gateway,
        """{ customers(ids: ["C-1", "C-2"]) { id ... on Customer {
              one: orders(limit: 1) { id }
              two: orders(limit: 2) { id }
              again: orders(limit: 1) { id }
            } } }""",
    )
    assert "errors" not in body, body.get("errors")
    assert body["data"]["customers"] == [
        {"id": "C-1", "one": [{"id": "O-13"}], "two": [{"id": "O-13"}, {"id": "O-12"}],
         "again": [{"id": "O-13"}]},
        {"id": "C-2", "one": [{"id": "O-22"}], "two": [{"id": "O-22"}, {"id": "O-21"}],
         "again": [{"id": "O-22"}]},
    ]  # fmt: skip
    sent = sorted(
        (q["per_customer"], sorted(q["emails"].split(","))) for q in _asked_by(asked, "orders")
    )
    assert sent == [
        ("1", ["ada@example.com", "alan@example.com"]),
        ("2", ["ada@example.com", "alan@example.com"]),
    ]


async def test_a_lists_look_ahead_pushes_the_arguments_its_one_reader_asks(
    gateway: str, systems: tuple[str, Asked]
) -> None:
    """``customers(ids:) { orders(limit: 1) }``: loaded ahead for both in one request, with
    the limit (per customer) the field will ask; the field then answers from it."""
    _, asked = systems
    _, body = await graphql(
        gateway,
        """query($n: Int) { customers(ids: ["C-1", "C-2"]) {
              id orders(limit: $n) { id } tickets(status: "open") { id } } }""",
        {"n": 1},
    )
    assert "errors" not in body, body.get("errors")
    assert body["data"]["customers"] == [
        {"id": "C-1", "orders": [{"id": "O-13"}], "tickets": [{"id": "T-3"}, {"id": "T-1"}]},
        {"id": "C-2", "orders": [{"id": "O-22"}], "tickets": []},
    ]
    (orders,) = _asked_by(asked, "orders")
    assert orders["per_customer"] == "1"
    assert sorted(orders["emails"].split(",")) == ["ada@example.com", "alan@example.com"]
    (support,) = _asked_by(asked, "support")
    assert support["state"] == "open"


async def test_a_list_loaded_ahead_for_two_readers_is_loaded_whole_and_filtered_by_each(
    gateway: str, systems: tuple[str, Asked]
) -> None:
    """Two argument sets (or an unlimited reader) want more than either limit: the whole
    lists are loaded ahead in one request, and each field filters them."""
    _, asked = systems
    _, body = await graphql(
        gateway,
        """{ customers(ids: ["C-1", "C-2"]) { id
              newest: orders(limit: 1) { id } two: orders(limit: 2) { id } } }""",
    )
    assert "errors" not in body, body.get("errors")
    assert body["data"]["customers"] == [
        {"id": "C-1", "newest": [{"id": "O-13"}], "two": [{"id": "O-13"}, {"id": "O-12"}]},
        {"id": "C-2", "newest": [{"id": "O-22"}], "two": [{"id": "O-22"}, {"id": "O-21"}]},
    ]
    (orders,) = _asked_by(asked, "orders")
    assert "per_customer" not in orders


async def test_a_limit_is_not_pushed_past_a_filter_the_system_cannot_apply(
    gateway: str, systems: tuple[str, Asked]
) -> None:
    """Billing limits per customer but cannot filter by status: its newest 1 is the paid one."""
    _, asked = systems
    _, body = await graphql(
        gateway, '{ customer(id: "C-1") { invoices(status: "unpaid", limit: 1) { id } } }'
    )
    assert "errors" not in body, body.get("errors")
    assert body["data"]["customer"] == {"invoices": [{"id": "I-2"}]}
    assert _asked_by(asked, "billing") == [{"emails": "ada@example.com"}]


async def test_the_demo_web_analytics_filters_since_itself_and_answers_are_unchanged(
    gateway_url: str, demo: DemoSources
) -> None:
    """The demo declares ``since`` on web visits; the answer is the gateway's own filter's."""
    crm_id = planted("abandoned_cart_today").crm_ids[0]
    every = """query($id: ID) { customer(id: $id) { webVisits { id startedAt } } }"""
    _, body = await graphql(gateway_url, every, {"id": crm_id})
    visits = body["data"]["customer"]["webVisits"]
    assert len(visits) >= 2, "the planted customer has visits on several days"
    middle = datetime.fromisoformat(visits[len(visits) // 2]["startedAt"])
    since = middle.astimezone(timezone(timedelta(hours=-5))).isoformat()  # same moment
    query = """query($id: ID, $since: DateTime) { customer(id: $id) {
        webVisits(since: $since) { id startedAt } } }"""
    before = (await demo.stats())["web"]
    _, body = await graphql(gateway_url, query, {"id": crm_id, "since": since})
    assert "errors" not in body, body.get("errors")
    expected = [v for v in visits if datetime.fromisoformat(v["startedAt"]) >= middle]
    assert body["data"]["customer"]["webVisits"] == expected
    assert (await demo.stats())["web"] == before + 1
