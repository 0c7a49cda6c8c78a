"""Per-source budgets against a real HTTP source on 127.0.0.1, configured as a user would.

The source is a small aiohttp app of the test's own that counts the requests it
has in progress (and the most it ever had) and can hold them until the test lets
go, so each test pins what the source itself saw: never more calls at once than
``concurrency``, never faster than ``rate_per_s``, never more per GraphQL
request than ``max_calls_per_request``; and what a refused caller is told.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from prometheus_client import REGISTRY

from resolvers.system.loaders import SystemLoaders
from resolvers.system.runtime import SourceRuntime
from sources.breaker import Breakers
from sources.budget import SourceBudget, count_calls_of_request
from sources.config import Budget, RestSource, parse_sources_config
from sources.errors import ConfigError, SourceBudgetExceeded, SourceUnavailable
from sources.resilient import ResilientConnector
from sources.rest import RestConnector

HANG_GUARD_S = 30.0
"""Only a guard against a hang; nothing here depends on how fast the box is."""


@dataclass
class CountingSource:
    """Answers one record per key asked; counts requests in progress; may hold them."""

    url: str = ""
    arrivals: list[float] = field(default_factory=list)
    """Loop time at which each request arrived."""
    in_progress: int = 0
    most_at_once: int = 0
    status: int = 200
    hold: asyncio.Event | None = None
    """When set to an (unset) event, every request waits for it before answering."""

    async def answer(self, request: web.Request) -> web.Response:
        self.arrivals.append(asyncio.get_running_loop().time())
        self.in_progress += 1
        self.most_at_once = max(self.most_at_once, self.in_progress)
        try:
            if self.hold is not None:
                await self.hold.wait()
            else:
                await asyncio.sleep(0.01)  # long enough for callers to overlap, if let through
            if self.status != 200:
                return web.json_response({"error": "down"}, status=self.status)
            keys = request.query["keys"].split(",")
            records = [
                {"email": k, "id": k, "at": "2026-11-01T10:00:00Z", "total": 1} for k in keys
            ]
            return web.json_response({"data": records})
        finally:
            self.in_progress -= 1


@pytest.fixture
async def crm() -> AsyncIterator[CountingSource]:
    source = CountingSource()
    app = web.Application()
    app.router.add_get("/orders", source.answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    source.url = str(server.make_url("")).rstrip("/")
    try:
        yield source
    finally:
        if source.hold is not None:
            source.hold.set()
        await server.close()


def config(
    url: str, budget: dict[str, Any], retries: int = 0, max_batch: int = 200
) -> dict[str, Any]:
    return {
        "sources": {
            "saas_crm": {
                "kind": "rest",
                "base_url": url,
                "budget": budget,
                "resilience": {"retries": retries, "retry_backoff_ms": 1},
                "entities": {
                    "orders": {
                        "serves": "orders",
                        "lookups": {
                            "email": {
                                "path": "/orders",
                                "query": {"keys": "{keys}"},
                                "match_on": "email",
                                "max_batch": max_batch,
                            }
                        },
                        "fields": {"id": "id", "placed_at": "at", "total": "total"},
                    }
                },
            }
        }
    }


@pytest.fixture
async def connect() -> AsyncIterator[
    Callable[[str, dict[str, Any]], Awaitable[ResilientConnector]]
]:
    started: list[ResilientConnector] = []

    async def make(
        url: str, budget: dict[str, Any], retries: int = 0, max_batch: int = 200
    ) -> ResilientConnector:
        source = parse_sources_config(config(url, budget, retries, max_batch)).sources["saas_crm"]
        assert isinstance(source, RestSource)
        connector = ResilientConnector(RestConnector("saas_crm", source), source, Breakers(), None)
        await connector.start()
        started.append(connector)
        return connector

    yield make
    for connector in started:
        await connector.close()


async def fetch(connector: ResilientConnector, key: str, timeout_s: float = 5.0) -> Any:
    (answer,) = await connector.fetch("orders", "email", [key], timeout_s=timeout_s)
    if isinstance(answer, Exception):
        raise answer
    return answer


async def until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (the source's and the budget's counters have no events to wait on)."""
    for _ in range(int(HANG_GUARD_S / 0.005)):
        if condition():
            return
        await asyncio.sleep(0.005)
    pytest.fail("hang guard: the condition never held")


async def one_call_each(connector: ResilientConnector, keys: list[str]) -> list[asyncio.Task[Any]]:
    """A fetch per key, each its own source call.

    Calls made of one lookup in the same turn are gathered into one source call
    (``sources.gathering``), so each fetch starts once the one before it is a call
    of its own (counted in ``status.calls`` when it starts, before any budget).
    """
    tasks: list[asyncio.Task[Any]] = []
    for key in keys:
        tasks.append(asyncio.create_task(fetch(connector, key)))
        count = len(tasks)
        await until(lambda count=count: connector.status.calls >= count)  # type: ignore[misc]
    return tasks


def refusals(budget: str) -> float:
    value = REGISTRY.get_sample_value(
        "c360_source_budget_refusals_total", {"source": "saas_crm", "budget": budget}
    )
    return value or 0.0


async def test_with_concurrency_one_the_source_sees_one_call_at_a_time(
    crm: CountingSource, connect: Callable[..., Awaitable[ResilientConnector]]
) -> None:
    connector = await connect(crm.url, {"concurrency": 1})
    crm.hold = asyncio.Event()
    calls = await one_call_each(connector, [f"c{n}@example.com" for n in range(5)])
    limits = connector.status.budget
    assert limits is not None
    await until(lambda: crm.in_progress == 1 and limits.queued == 4)
    # What /readyz shows meanwhile: the limit, one call out, four waiting for it.
    budget = connector.status.snapshot()["budget"]
    assert isinstance(budget, dict)
    assert (budget["concurrency"], budget["in_flight"], budget["queued"]) == (1, 1, 4)
    crm.hold.set()
    answers = await asyncio.wait_for(asyncio.gather(*calls), HANG_GUARD_S)
    assert [a[0]["id"] for a in answers] == [f"c{n}@example.com" for n in range(5)]
    assert len(crm.arrivals) == 5
    assert crm.most_at_once == 1
    assert REGISTRY.get_sample_value("c360_source_inflight_calls", {"source": "saas_crm"}) == 0


async def test_a_call_of_several_batches_sends_them_one_at_a_time_with_concurrency_one(
    crm: CountingSource, connect: Callable[..., Awaitable[ResilientConnector]]
) -> None:
    connector = await connect(crm.url, {"concurrency": 1}, max_batch=2)
    keys = [f"c{n}@example.com" for n in range(6)]
    answers = await connector.fetch("orders", "email", keys, timeout_s=HANG_GUARD_S)
    assert [a[0]["id"] for a in answers if not isinstance(a, Exception)] == keys
    assert len(crm.arrivals) == 3, "three batches of two"
    assert crm.most_at_once == 1


async def test_batches_beyond_max_calls_per_request_cost_only_their_keys(
    crm: CountingSource, connect: Callable[..., Awaitable[ResilientConnector]]
) -> None:
    connector = await connect(crm.url, {"max_calls_per_request": 2}, max_batch=2)
    count_calls_of_request()
    keys = [f"c{n}@example.com" for n in range(6)]
    answers = await connector.fetch("orders", "email", keys, timeout_s=HANG_GUARD_S)
    refused = [a for a in answers if isinstance(a, SourceBudgetExceeded)]
    assert len(refused) == 2 and all(e.budget == "max_calls_per_request" for e in refused)
    assert sum(not isinstance(a, Exception) for a in answers) == 4
    assert len(crm.arrivals) == 2
    status = connector.status.snapshot()
    assert (status["breaker"], status["failures"]) == ("closed", 0)


async def test_a_call_that_cannot_get_a_slot_in_time_is_refused_naming_source_and_budget(
    crm: CountingSource, connect: Callable[..., Awaitable[ResilientConnector]]
) -> None:
    connector = await connect(crm.url, {"concurrency": 1})
    crm.hold = asyncio.Event()
    first = asyncio.create_task(fetch(connector, "first@example.com", timeout_s=HANG_GUARD_S))
    await until(lambda: crm.in_progress == 1)
    before = refusals("concurrency")
    with pytest.raises(SourceBudgetExceeded) as refused:
        await fetch(connector, "second@example.com", timeout_s=1.0)
    error = refused.value
    assert error.extensions == {
        "code": "SOURCE_BUDGET_EXCEEDED",
        "source": "saas_crm",
        "budget": "concurrency",
    }
    assert str(error).startswith("saas_crm: budget exceeded: all 1 concurrent calls busy")
    assert len(crm.arrivals) == 1, "the refused call never reached the source"
    assert refusals("concurrency") == before + 1
    # Our refusal is not the source failing: its breaker and failure count never hear of it.
    status = connector.status.snapshot()
    assert (status["breaker"], status["failures"]) == ("closed", 0)
    budget = status["budget"]
    assert isinstance(budget, dict) and budget["refused"] == {"concurrency": 1}
    crm.hold.set()
    assert (await asyncio.wait_for(first, HANG_GUARD_S))[0]["id"] == "first@example.com"


async def test_over_the_rate_a_call_queues_when_its_turn_comes_in_time(
    crm: CountingSource, connect: Callable[..., Awaitable[ResilientConnector]]
) -> None:
    rate = 20.0
    connector = await connect(crm.url, {"rate_per_s": rate, "burst": 1})
    started = asyncio.get_running_loop().time()
    calls = await one_call_each(connector, [f"c{n}@example.com" for n in range(4)])
    answers = await asyncio.wait_for(asyncio.gather(*calls), HANG_GUARD_S)
    assert len(answers) == 4 and len(crm.arrivals) == 4
    # Queued, not refused, and never ahead of the rate: by 1/rate after the start at most
    # one call can have been sent, by 2/rate two, ... (a slow box only makes them later).
    for n, arrived in enumerate(sorted(crm.arrivals)):
        assert arrived - started >= n / rate * 0.99


async def test_over_the_rate_a_call_that_could_not_start_in_time_is_refused_at_once(
    crm: CountingSource, connect: Callable[..., Awaitable[ResilientConnector]]
) -> None:
    connector = await connect(crm.url, {"rate_per_s": 0.1, "burst": 2})
    await fetch(connector, "a@example.com")
    await fetch(connector, "b@example.com")
    before = refusals("rate_per_s")
    with pytest.raises(SourceBudgetExceeded) as refused:
        # The next token is 10 s away: even a 5 s deadline cannot reach it, so no wait at all.
        await fetch(connector, "c@example.com", timeout_s=5.0)
    assert refused.value.budget == "rate_per_s"
    assert "saas_crm" in str(refused.value) and "0.1 calls/s, burst 2" in str(refused.value)
    assert len(crm.arrivals) == 2
    assert refusals("rate_per_s") == before + 1
    budget = connector.status.snapshot()["budget"]
    assert isinstance(budget, dict)
    assert (budget["rate_per_s"], budget["burst"], budget["queued"]) == (0.1, 2, 0)


async def test_one_request_makes_at_most_max_calls_per_request_calls_to_a_source(
    crm: CountingSource,
) -> None:
    runtime = SourceRuntime.from_config(
        parse_sources_config(config(crm.url, {"max_calls_per_request": 2}))
    )
    await runtime.start()
    try:
        deadline = asyncio.get_running_loop().time() + HANG_GUARD_S

        async def one_request() -> list[Any]:
            # Its own task, as the gateway runs each request: its own count of calls.
            system = SystemLoaders(runtime, deadline)
            results: list[Any] = []
            for n in range(3):  # awaited one by one: three calls, not one batch
                try:
                    results.append(await system.load("orders", "email", f"c{n}@example.com"))
                except SourceBudgetExceeded as error:
                    results.append(error)
            return results

        first = await asyncio.create_task(one_request())
        assert [len(r) for r in first[:2]] == [1, 1]
        refused = first[2]
        assert isinstance(refused, SourceBudgetExceeded)
        assert refused.budget == "max_calls_per_request"
        assert "max_calls_per_request 2" in str(refused)
        assert len(crm.arrivals) == 2
        # The next request has a count of its own.
        second = await asyncio.create_task(one_request())
        assert [type(r).__name__ for r in second] == ["list", "list", "SourceBudgetExceeded"]
        assert len(crm.arrivals) == 4
        ready = runtime.status()["saas_crm"]["budget"]
        assert isinstance(ready, dict) and ready["max_calls_per_request"] == 2
    finally:
        await runtime.close()


async def test_a_retry_the_budget_refuses_reports_why_the_call_failed(
    crm: CountingSource, connect: Callable[..., Awaitable[ResilientConnector]]
) -> None:
    connector = await connect(crm.url, {"max_calls_per_request": 1}, retries=2)
    crm.status = 503
    count_calls_of_request()
    with pytest.raises(SourceUnavailable) as failed:
        await fetch(connector, "a@example.com")
    assert "HTTP 503" in str(failed.value), "the source's failure, not the refused retry"
    assert len(crm.arrivals) == 1, "no retry beyond the request's one call"


@pytest.mark.parametrize(
    ("budget", "field", "problem"),
    [
        ({"burst": 5}, "budget", "'burst' needs 'rate_per_s'"),
        ({"concurrency": 0}, "budget.concurrency", "greater than or equal to 1"),
        ({"rate_per_s": 0}, "budget.rate_per_s", "greater than 0"),
        ({"max_calls": 3}, "budget.max_calls", "Extra inputs are not permitted"),
    ],
)
def test_a_wrong_budget_stops_the_config_naming_source_and_field(
    budget: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as error:
        parse_sources_config(config("http://crm.invalid", budget), origin="sources.yaml")
    message = str(error.value)
    assert f"source 'saas_crm', field '{field}'" in message
    assert problem in message


def test_an_unset_budget_is_unlimited() -> None:
    source = parse_sources_config(config("http://crm.invalid", {})).sources["saas_crm"]
    assert source.budget.unlimited


async def test_the_in_flight_gauge_counts_the_calls_of_every_budget_of_a_source() -> None:
    def in_flight() -> float | None:
        return REGISTRY.get_sample_value("c360_source_inflight_calls", {"source": "gauge_src"})

    unlimited = SourceBudget("gauge_src", Budget())
    limited = SourceBudget("gauge_src", Budget(concurrency=2))
    unlimited.started()
    await limited.acquire("contacts", 1.0)
    await limited.acquire("contacts", 1.0)
    assert in_flight() == 3
    limited.release()
    assert in_flight() == 2
    unlimited.release()
    limited.release()
    assert in_flight() == 0
