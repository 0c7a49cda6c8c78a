"""Lazy and batched, provably: the demo sources' request counters say what was fetched."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from tests.demo_harness import DemoSources, graphql
from tests.integration.world import contact, planted, world

HOP_MS = 400
"""Every demo source's latency in the round-trip tests: long against the noise of a
gateway that shares this process (a garbage collection of the test run's heap)."""


async def timed(url: str, query: str, variables: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """One query's answer and its wall time in ms, with no garbage collection inside."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        _, body = await graphql(url, query, variables)
        return (time.perf_counter() - started) * 1000, body
    finally:
        gc.enable()


FIELD_SOURCES = ("orders", "billing", "support", "web", "social", "weather")


async def test_asking_only_for_orders_calls_only_the_order_system(
    gateway_url: str, demo: DemoSources
) -> None:
    crm_id = planted("champion").crm_ids[0]
    _, body = await graphql(
        gateway_url, "query($id: ID) { customer(id: $id) { orders { id total } } }", {"id": crm_id}
    )
    assert body["data"]["customer"]["orders"], "the champion has orders"
    stats = await demo.stats()
    # The CRM answers "who is this"; of the systems behind the fields, only orders is asked.
    assert stats == {
        "crm": 1,
        "orders": 1,
        "billing": 0,
        "support": 0,
        "web": 0,
        "social": 0,
        "weather": 0,
    }


async def test_profile_fields_alone_touch_no_system_but_the_crm(
    gateway_url: str, demo: DemoSources
) -> None:
    crm_id = planted("champion").crm_ids[0]
    await graphql(
        gateway_url, "query($id: ID) { customer(id: $id) { name email } }", {"id": crm_id}
    )
    stats = await demo.stats()
    assert stats["crm"] == 1
    assert all(stats[s] == 0 for s in FIELD_SOURCES)


async def test_orders_and_tickets_of_50_customers_cost_one_request_per_system(
    gateway_url: str, demo: DemoSources
) -> None:
    ids = [c["id"] for c in world().contacts[:50]]
    _, body = await graphql(
        gateway_url,
        "query($ids: [ID!]!) { customers(ids: $ids) { id orders { id } tickets { id status } } }",
        {"ids": ids},
    )
    assert "errors" not in body
    customers = body["data"]["customers"]
    assert len(customers) == 50 and all(c is not None for c in customers)
    assert sum(len(c["orders"]) for c in customers) > 50
    assert sum(len(c["tickets"]) for c in customers) > 0
    stats = await demo.stats()
    assert stats == {
        "crm": 1,
        "orders": 1,
        "billing": 0,
        "support": 1,
        "web": 0,
        "social": 0,
        "weather": 0,
    }


async def test_each_customer_gets_their_own_orders(gateway_url: str, demo: DemoSources) -> None:
    ids = [c["id"] for c in world().contacts[:20]]
    emails = {c["id"]: c["email"].casefold() for c in world().contacts[:20]}
    expected = {
        crm_id: sorted(
            o["order_id"] for o in world().orders if o["customer_email"].casefold() == email
        )
        for crm_id, email in emails.items()
    }
    _, body = await graphql(
        gateway_url,
        "query($ids: [ID!]!) { customers(ids: $ids) { id orders { id } } }",
        {"ids": ids},
    )
    got = {c["id"]: sorted(o["id"] for o in c["orders"]) for c in body["data"]["customers"]}
    assert got == expected


async def test_agent_view_calls_sources_concurrently_not_one_after_another(
    gateway_url: str, demo: DemoSources
) -> None:
    latency_ms = HOP_MS
    phone = contact(planted("red_health").crm_ids[0])["phone"]  # known to all seven systems
    query = await _agent_query()
    await graphql(gateway_url, query, {"phone": phone})  # population cut points now cached
    await demo.reset()
    await demo.all_knobs(latency_ms=latency_ms)
    elapsed_ms, body = await timed(gateway_url, query, {"phone": phone})
    assert "errors" not in body, body.get("errors")
    stats = await demo.stats()
    assert all(count == 1 for count in stats.values()), str(sorted(stats.items()))
    # Seven systems at 400 ms each would take 2.8 s one after another; the CRM
    # identifies the caller (one hop), then the other six answer together (one hop):
    # a third round trip (e.g. weather asked only after the lists came back) fails this.
    assert elapsed_ms < 2.6 * latency_ms, elapsed_ms


async def test_a_list_of_customers_costs_two_round_trips_whatever_it_asks(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()
    latency_ms = HOP_MS
    query = """query($ids: [ID!]!) { customers(ids: $ids) {
        id orders { id } weather { temperatureC } segment { name } health { light } } }"""
    ids = [c["id"] for c in world().contacts[400:420]]
    await graphql(url, query, {"ids": ids[:1]})  # population cut points now cached
    await demo.all_knobs(latency_ms=latency_ms)
    elapsed_ms, body = await timed(url, query, {"ids": ids})
    assert "errors" not in body, body.get("errors")
    assert all(c["segment"] and c["health"] for c in body["data"]["customers"])
    assert elapsed_ms < 2.6 * latency_ms, elapsed_ms


async def _agent_query() -> str:
    from gateway.settings import PROJECT_ROOT

    return (PROJECT_ROOT / "queries" / "agent.graphql").read_text(encoding="utf-8")


async def test_list_fields_of_many_customers_filter_and_fail_like_one_customer(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()
    ids = [c["id"] for c in world().contacts[300:310]]
    many = """query($ids: [ID!]!) { customers(ids: $ids) {
        id recent: orders(limit: 2) { id } open: tickets(status: "open") { id status }
        invoices { id } webVisits @skip(if: true) { id } } }"""
    one = """query($id: ID) { customer(id: $id) {
        id recent: orders(limit: 2) { id } open: tickets(status: "open") { id status }
        invoices { id } } }"""
    _, listed = await graphql(url, many, {"ids": ids})
    singles = [(await graphql(url, one, {"id": i}))[1]["data"]["customer"] for i in ids]
    assert listed["data"]["customers"] == singles
    assert (await demo.stats())["web"] == 0, "a skipped field is not fetched"

    await demo.knobs("support", mode="error")
    _, broken = await graphql(start_gateway(), many, {"ids": ids})
    paths = sorted(tuple(e["path"]) for e in broken["errors"])
    assert paths == sorted(("customers", i, "open") for i in range(10))
    assert all(c["open"] is None and c["recent"] is not None for c in broken["data"]["customers"])
