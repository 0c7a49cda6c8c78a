"""Links are config: a foreign CRM holding other systems' ids, systems that know only their own.

The CRM's contacts carry ``order_customer_id`` and ``billing_account``; the order
system and the billing system know nothing of the CRM or of emails; billing's
invoices carry the ledger's customer number (a second hop). Everything is
declared in YAML written here; each system counts the requests it gets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from gateway.settings import Settings
from tests.demo_harness import GatewayServer, graphql

CONTACTS: list[dict[str, Any]] = [
    {"id": "C-1", "first": "Ada", "last": "Lovelace", "mail": "ada@example.com",
     "order_customer_id": "oc-1", "billing_account": "BA-1"},
    {"id": "C-2", "first": "Alan", "last": "Turing", "mail": "alan@example.com",
     "order_customer_id": "oc-2", "billing_account": None},
    {"id": "C-3", "first": "Grace", "last": "Hopper", "mail": "grace@example.com"},
]  # fmt: skip
ORDERS = [
    {"no": "O-11", "customer_id": "oc-1", "at": "2026-11-01T10:00:00Z", "total": 10.0},
    {"no": "O-12", "customer_id": "oc-1", "at": "2026-11-02T10:00:00Z", "total": 12.0},
    {"no": "O-21", "customer_id": "oc-2", "at": "2026-11-03T10:00:00Z", "total": 21.0},
    # Same email as Ada, another customer id: never Ada's (orders know no email anyway).
    {"no": "O-99", "customer_id": "oc-9", "at": "2026-11-04T10:00:00Z", "total": 99.0},
]
INVOICES = [{"no": "INV-1", "account": "BA-1", "amount": 50.0, "ledger_no": 7001}]
LEDGER = [{"doc": "L-1", "customer_no": "7001", "amount": -5.0}]


def _by(records: list[dict[str, Any]], field: str, wanted: str) -> list[dict[str, Any]]:
    keys = set(wanted.split(","))
    return [r for r in records if str(r.get(field)) in keys]


def systems_app(calls: Counter[str], down: set[str]) -> web.Application:
    """Four systems on one server, told apart by path; each request counted by system.

    A system named in ``down`` answers 503.
    """

    async def contacts(request: web.Request) -> web.Response:
        calls["crm"] += 1
        q = request.query
        if "ids" in q:
            return web.json_response({"data": _by(CONTACTS, "id", q["ids"])})
        return web.json_response({"data": _by(CONTACTS, "order_customer_id", q["order_ids"])})

    async def orders(request: web.Request) -> web.Response:
        calls["orders"] += 1
        return web.json_response({"data": _by(ORDERS, "customer_id", request.query["ids"])})

    async def invoices(request: web.Request) -> web.Response:
        calls["billing"] += 1
        if "billing" in down:
            return web.json_response({"error": "maintenance"}, status=503)
        return web.json_response({"data": _by(INVOICES, "account", request.query["accounts"])})

    async def ledger(request: web.Request) -> web.Response:
        calls["ledger"] += 1
        return web.json_response({"data": _by(LEDGER, "customer_no", request.query["nos"])})

    app = web.Application()
    app.router.add_get("/crm/contacts", contacts)
    app.router.add_get("/orders/orders", orders)
    app.router.add_get("/billing/invoices", invoices)
    app.router.add_get("/ledger/docs", ledger)
    return app


def links_config(base_url: str) -> dict[str, Any]:
    def rest(prefix: str, entities: dict[str, Any]) -> dict[str, Any]:
        return {"kind": "rest", "base_url": f"{base_url}/{prefix}", "entities": entities}

    return {
        "sources": {
            "crm": rest("crm", {"contacts": {
                "serves": "customer",
                "links": {"orders": {"from": "order_customer_id"},
                          "billing": {"from": "billing_account"}},
                "lookups": {
                    "id": {"path": "/contacts", "query": {"ids": "{keys}"}, "match_on": "id"},
                    "link:orders": {"path": "/contacts", "query": {"order_ids": "{keys}"},
                                    "match_on": "order_customer_id"},
                },
                "fields": {"id": "id", "first_name": "first", "last_name": "last",
                           "email": "mail"},
            }}),
            "orders": rest("orders", {"orders": {
                "serves": "orders",
                "lookups": {"link": {"path": "/orders", "query": {"ids": "{keys}"},
                                     "match_on": "customer_id"}},
                "fields": {"id": "no", "placed_at": "at", "total": "total",
                           "customer_id": "customer_id"},
            }}),
            "billing": rest("billing", {"invoices": {
                "serves": "invoices",
                "links": {"ledger": {"from": "ledger_no"}},
                "lookups": {"link": {"path": "/invoices", "query": {"accounts": "{keys}"},
                                     "match_on": "account"}},
                "fields": {"id": "no", "amount": "amount", "account_id": "account"},
            }}),
            "ledger": rest("ledger", {"docs": {
                "serves": "invoices",
                "lookups": {"link": {"path": "/docs", "query": {"nos": "{keys}"},
                                     "match_on": "customer_no"}},
                "fields": {"id": "doc", "amount": "amount"},
            }}),
        }
    }  # fmt: skip


@pytest.fixture
async def systems() -> AsyncIterator[tuple[str, Counter[str], set[str]]]:
    calls: Counter[str] = Counter()
    down: set[str] = set()
    runner = web.AppRunner(systems_app(calls, down))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", calls, down
    await runner.cleanup()


@pytest.fixture
def gateway(systems: tuple[str, Counter[str], set[str]], tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(links_config(systems[0]), sort_keys=False), encoding="utf-8")
    settings = Settings(sources_file=path, source_urls={}, gc_threshold=0)
    with GatewayServer(settings) as server:
        yield server.url


CUSTOMER = """
query($id: ID) {
  customer(id: $id) {
    id name
    orders { id total }
    invoices { id source amount }
    identities { system recordId matchedOn confidence }
  }
}
"""


async def test_a_customer_by_crm_id_reaches_each_system_by_its_own_id(
    gateway: str, systems: tuple[str, Counter[str], set[str]]
) -> None:
    _, calls, _ = systems
    _, body = await graphql(gateway, CUSTOMER, {"id": "C-1"})
    assert "errors" not in body, body.get("errors")
    customer = body["data"]["customer"]
    assert customer["name"] == "Ada Lovelace"
    assert sorted(o["id"] for o in customer["orders"]) == ["O-11", "O-12"]
    assert sorted((i["source"], i["id"]) for i in customer["invoices"]) == [
        ("billing", "INV-1"),
        ("ledger", "L-1"),
    ]
    assert customer["identities"] == [
        {"system": "crm", "recordId": "C-1", "matchedOn": "id", "confidence": 1.0},
        {"system": "orders", "recordId": "oc-1", "matchedOn": "crm.order_customer_id",
         "confidence": 1.0},
        {"system": "billing", "recordId": "BA-1", "matchedOn": "crm.billing_account",
         "confidence": 1.0},
        {"system": "ledger", "recordId": "7001", "matchedOn": "billing.ledger_no",
         "confidence": 1.0},
    ]  # fmt: skip
    assert calls == {"crm": 1, "orders": 1, "billing": 1, "ledger": 1}


async def test_a_customer_by_another_systems_id(
    gateway: str, systems: tuple[str, Counter[str], set[str]]
) -> None:
    _, calls, _ = systems
    _, body = await graphql(gateway, CUSTOMER, {"id": "orders:oc-2"})
    assert "errors" not in body, body.get("errors")
    customer = body["data"]["customer"]
    assert customer["id"] == "C-2"
    assert [o["id"] for o in customer["orders"]] == ["O-21"]
    assert customer["invoices"] == []  # no billing account: billing is not asked
    assert customer["identities"][0] == {
        "system": "crm", "recordId": "C-2", "matchedOn": "link:orders", "confidence": 1.0
    }  # fmt: skip
    assert calls == {"crm": 1, "orders": 1}


async def test_an_id_nobody_holds_is_null_and_a_system_the_crm_cannot_search_is_bad_input(
    gateway: str, systems: tuple[str, Counter[str], set[str]]
) -> None:
    _, body = await graphql(gateway, '{ customer(id: "orders:oc-404") { id } }')
    assert body == {"data": {"customer": None}}
    _, body = await graphql(gateway, '{ customer(id: "billing:BA-1") { id } }')
    assert body["data"] == {"customer": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "'billing'" in error["message"] and "link:billing" in error["message"]
    # A plain id keeps meaning the CRM's, colon or not, when the prefix is no system.
    _, body = await graphql(gateway, '{ customer(id: "shop:C-1") { id } }')
    assert body == {"data": {"customer": None}}
    _, body = await graphql(gateway, '{ customer(id: "crm:C-3") { id orders { id } } }')
    assert body == {"data": {"customer": {"id": "C-3", "orders": []}}}


async def test_a_list_of_customers_costs_one_request_per_system(
    gateway: str, systems: tuple[str, Counter[str], set[str]]
) -> None:
    _, calls, _ = systems
    query = """
    query($ids: [ID!]!) {
      customers(ids: $ids) { id orders { id } invoices { id } identities { system recordId } }
    }
    """
    _, body = await graphql(gateway, query, {"ids": ["C-1", "C-2", "C-3", "C-404"]})
    assert "errors" not in body, body.get("errors")
    c1, c2, c3, missing = body["data"]["customers"]
    assert sorted(o["id"] for o in c1["orders"]) == ["O-11", "O-12"]
    assert [o["id"] for o in c2["orders"]] == ["O-21"]
    assert c3 == {"id": "C-3", "orders": [], "invoices": [],
                  "identities": [{"system": "crm", "recordId": "C-3"}]}  # fmt: skip
    assert missing is None
    assert sorted(i["id"] for i in c1["invoices"]) == ["INV-1", "L-1"]
    assert calls == {"crm": 1, "orders": 1, "billing": 1, "ledger": 1}


async def test_a_link_system_that_fails_costs_its_fields_and_ends_the_chain_there(
    gateway: str, systems: tuple[str, Counter[str], set[str]]
) -> None:
    _, calls, down = systems
    down.add("billing")
    _, body = await graphql(gateway, CUSTOMER, {"id": "C-1"})
    customer = body["data"]["customer"]
    assert sorted(o["id"] for o in customer["orders"]) == ["O-11", "O-12"]
    assert customer["invoices"] is None
    [error] = body["errors"]
    assert error["path"] == ["customer", "invoices"]
    assert error["extensions"]["source"] == "billing"
    assert error["extensions"]["code"].startswith("SOURCE_")
    # The ledger is reached only through billing: not asked, not listed, never guessed.
    assert [i["system"] for i in customer["identities"]] == ["crm", "orders", "billing"]
    assert calls["ledger"] == 0
