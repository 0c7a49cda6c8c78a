"""Lazy and batched, provably: the demo sources' request counters say what was fetched."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.demo_harness import DemoSources, graphql
from tests.integration.world import contact, planted, world

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
        "contacts": 1,  # a plain id may be either customer system's
        "marketing": 0,
        "opportunities": 0,
        "surveys": 0,
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
        "contacts": 1,
        "marketing": 0,
        "opportunities": 0,
        "surveys": 0,
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


async def test_agent_view_asks_each_system_once(gateway_url: str, demo: DemoSources) -> None:
    phone = contact(planted("red_health").crm_ids[0])["phone"]  # known to every agent system
    query = await _agent_query()
    await graphql(gateway_url, query, {"phone": phone})  # population cut points now cached
    await demo.reset()
    _, body = await graphql(gateway_url, query, {"phone": phone})
    assert "errors" not in body, body.get("errors")
    stats = await demo.stats()
    business = {"marketing", "opportunities", "surveys"}  # the CMO's and CEO's, not the agent's
    expected = {s: 0 if s in business else 1 for s in stats}
    assert stats == expected, str(sorted(stats.items()))


class RoundCounter:
    """Stand-in sources that note, for every call, which round trip it is.

    A call's round is one more than the latest round finished before it
    started: the CRM call is round 1; a call that could start only once another
    call's answer was back is round 2 or later. Counted in calls, not time.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self._finished: list[int] = []

    def wrap(self, runtime: Any) -> None:
        for name, connector in runtime.connectors.items():
            runtime.connectors[name] = self._counted(name, connector)

    def _counted(self, name: str, connector: Any) -> Any:
        counter = self

        class Counted:
            async def fetch(self, entity: str, kind: str, keys: Any, *, timeout_s: float) -> Any:
                round_trip = 1 + max(counter._finished, default=0)
                counter.calls.append((name, round_trip))
                answers = await connector.fetch(entity, kind, keys, timeout_s=timeout_s)
                counter._finished.append(round_trip)
                return answers

        return Counted()


AFTER_THE_CRM_ONE_CALL_PER_SOURCE_ENTITY = sorted(
    [
        ("crm", 1),
        ("orders", 2),
        ("orders", 2),
        ("billing", 2),
        ("ledger", 2),
        ("support", 2),
        ("web", 2),
        ("social", 2),
        ("weather", 2),
    ]
)
"""The CRM says who; then every other system at once (orders serves two entities:
a customer's orders and the population's RFM cut points)."""


async def round_trips(query: str, variables: dict[str, Any]) -> list[tuple[str, int]]:
    """The source calls one query makes, with their round trips (graphql-core's executor)."""
    from bench.resolver_cpu import NOW, stand_in_runtime
    from resolvers.system.loaders import SystemLoaders
    from schema import build_schema
    from schema.context import Context

    runtime, counter = stand_in_runtime(), RoundCounter()
    counter.wrap(runtime)
    deadline = asyncio.get_running_loop().time() + 60
    context = Context(loaders=SystemLoaders(runtime, deadline), now=NOW, request_id="t")
    result = await build_schema().execute(query, variable_values=variables, context_value=context)
    assert not result.errors, result.errors
    return counter.calls


async def test_the_agent_view_is_two_round_trips_one_call_per_source_entity() -> None:
    calls = await round_trips(await _agent_query(), {"phone": "+15550100007"})
    # A phone is asked of both customer systems (the CRM and the contact book) at once.
    assert sorted(calls) == sorted([("contacts", 1), *AFTER_THE_CRM_ONE_CALL_PER_SOURCE_ENTITY])


async def test_a_list_of_customers_is_two_round_trips_whatever_it_asks() -> None:
    query = """query($ids: [ID!]!) { customers(ids: $ids) {
        id orders { id } weather { temperatureC } segment { name } health { light } } }"""
    calls = await round_trips(query, {"ids": [f"C-{n}" for n in range(1, 21)]})
    assert sorted(calls) == sorted([("contacts", 1), *AFTER_THE_CRM_ONE_CALL_PER_SOURCE_ENTITY])


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
