"""The named loaders batch: many customers cost one request per source; a failure costs its keys."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from resolvers.system.by_customer import CustomerKeys
from resolvers.system.customer_loaders import CustomerLoaders
from resolvers.system.loaders import SystemLoaders
from resolvers.system.runtime import SourceRuntime
from sources.config import parse_sources_config
from sources.errors import SourceUnavailable


def _source(serves: str, kind: str, fields: dict[str, str]) -> dict[str, Any]:
    lookup = {"path": f"/{serves}", "query": {"keys": "{keys}"}, "match_on": kind}
    return {
        "kind": "rest",
        "base_url": f"http://{serves}.invalid",
        "entities": {serves: {"serves": serves, "lookups": {kind: lookup}, "fields": fields}},
    }


CONFIG = {
    "sources": {
        "orders": _source("orders", "email", {"id": "id", "placed_at": "at", "total": "total"}),
        "support": _source("tickets", "email", {"id": "id", "status": "status"}),
        "billing": _source("invoices", "email", {"id": "id", "amount": "amount"}),
        "ledger": {
            **_source("invoices", "phone", {"id": "id", "amount": "amount"}),
            "base_url": "http://ledger.invalid",
        },
        "weather": _source("weather", "location", {"latitude": "lat", "longitude": "lon"}),
    }
}


class FakeSource:
    """Answers every key with one record of its own; ``failing`` keys answer the source's error."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.failing: set[str] = set()
        self.batches: list[list[str]] = []

    async def fetch(
        self, entity: str, kind: str, keys: Sequence[str], *, timeout_s: float
    ) -> list[list[dict[str, Any]] | Exception]:
        self.batches.append(list(keys))
        await asyncio.sleep(0)
        return [
            SourceUnavailable(self.name, "answered HTTP 503", entity=entity)
            if key in self.failing
            else [self._record(key)]
            for key in keys
        ]

    def _record(self, key: str) -> dict[str, Any]:
        return {
            "id": f"{self.name}:{key}",
            "at": "2026-11-01T10:00:00Z",
            "total": 10,
            "status": "open",
            "amount": 5,
            "lat": 1.0,
            "lon": 2.0,
        }


def customer(n: int) -> CustomerKeys:
    return CustomerKeys({"email": f"c{n}@example.com", "phone": f"+1555010{n:04d}"})


@pytest.fixture
def sources() -> dict[str, FakeSource]:
    return {name: FakeSource(name) for name in CONFIG["sources"]}


def loaders_over(sources: dict[str, FakeSource]) -> CustomerLoaders:
    runtime = SourceRuntime.from_config(parse_sources_config(CONFIG))
    for name, source in sources.items():
        runtime.connectors[name] = source  # type: ignore[assignment]
    system = SystemLoaders(runtime, asyncio.get_running_loop().time() + 5)
    return CustomerLoaders.over(system)


async def test_fifty_customers_cost_one_request_per_source(sources: dict[str, FakeSource]) -> None:
    loaders = loaders_over(sources)
    people = [customer(n) for n in range(50)]
    await loaders.load_ahead(["orders"], people)
    orders = [await loaders.orders.load(c) for c in people]
    invoices = await asyncio.gather(*(loaders.invoices.load(c) for c in people))
    assert [o[0].id for o in orders] == [f"orders:c{n}@example.com" for n in range(50)]
    # Invoices come from two systems, each asked by the key it has a lookup for.
    assert all(sorted(i.source for i in found) == ["billing", "ledger"] for found in invoices)
    assert [len(s.batches) for s in sources.values()] == [1, 0, 1, 1, 0]
    assert len(sources["orders"].batches[0]) == 50


async def test_a_failed_source_costs_only_the_customers_it_failed(
    sources: dict[str, FakeSource],
) -> None:
    sources["orders"].failing = {"c1@example.com"}
    loaders = loaders_over(sources)
    people = [customer(0), customer(1), customer(2)]
    await loaders.load_ahead(["orders"], people)
    first, third = await loaders.orders.load(people[0]), await loaders.orders.load(people[2])
    assert [o.id for o in first + third] == ["orders:c0@example.com", "orders:c2@example.com"]
    for _ in range(2):  # within a request, the failure is the answer: not asked again
        with pytest.raises(SourceUnavailable, match="orders"):
            await loaders.orders.load(people[1])
    assert len(sources["orders"].batches) == 1


async def test_one_failed_system_fails_a_kind_served_by_two(sources: dict[str, FakeSource]) -> None:
    sources["ledger"].failing = {"+15550100001"}
    loaders = loaders_over(sources)
    with pytest.raises(SourceUnavailable, match="ledger"):
        await loaders.invoices.load(customer(1))
    assert {i.source for i in await loaders.invoices.load(customer(2))} == {"billing", "ledger"}


async def test_loaded_ahead_the_reads_answer_at_once_and_nothing_else_is_asked(
    sources: dict[str, FakeSource],
) -> None:
    loaders = loaders_over(sources)
    people = [customer(n) for n in range(20)]
    await loaders.load_ahead(["orders", "tickets"], people)
    assert [len(s.batches) for s in sources.values()] == [1, 1, 0, 0, 0]
    reads = [loaders.orders.load(c) for c in people] + [loaders.tickets.load(c) for c in people]
    for read in reads:
        with pytest.raises(StopIteration) as answered:  # the first step answers: no wait
            read.send(None)
        assert len(answered.value.value) == 1
    assert [len(s.batches) for s in sources.values()] == [1, 1, 0, 0, 0]


async def test_a_failure_loaded_ahead_is_raised_where_it_is_read(
    sources: dict[str, FakeSource],
) -> None:
    sources["support"].failing = {"c3@example.com"}
    loaders = loaders_over(sources)
    people = [customer(n) for n in range(5)]
    await loaders.load_ahead(["tickets", "weather"], people)
    with pytest.raises(SourceUnavailable, match="support"):
        await loaders.tickets.load(people[3])
    assert len(await loaders.tickets.load(people[4])) == 1
    assert sources["weather"].batches == [], "customers without a location ask no weather"


async def test_a_customer_asked_for_again_is_answered_from_the_first_answer(
    sources: dict[str, FakeSource],
) -> None:
    loaders = loaders_over(sources)
    ann = customer(7)
    first = await loaders.tickets.load(ann)
    again = loaders.tickets.load(ann)
    with pytest.raises(StopIteration) as answered:
        again.send(None)
    assert answered.value.value == first
    assert sources["support"].batches == [["c7@example.com"]]
