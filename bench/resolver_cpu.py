"""CPU per operation of the resolvers and the executor, in process, over stand-in sources.

Answers "what does a query cost the gateway's CPU, apart from the network": the
real schema, the real per-request loaders (batching, merging of several sources,
newest-first ordering) and the real execution (compiled plan and graphql-core's
generic executor), over connectors that answer every batch after one small wait
(``asyncio.sleep(0)``) with records built once. Two operations: the agent's saved
query and a 50-customer ``customers(ids:)`` list with orders, invoices and tickets.

Run: ``python -m bench.resolver_cpu [--rounds N] [--ops N]``. It prints, per
operation and executor, CPU microseconds per operation: the best round (the
least disturbed by other processes on a shared machine) and the median round;
and the asyncio tasks and loop callbacks one operation makes, which do not
depend on the machine's load (each is a wait some field could not avoid).
Run it on two checkouts one after the other to compare them (same machine).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graphql import parse
from strawberry.extensions import ParserCache, ValidationCache

from gateway.settings import DEMO_SOURCES, PROJECT_ROOT
from resolvers.system.loaders import SystemLoaders
from resolvers.system.records import (
    CurrentWeather,
    CustomerProfile,
    Invoice,
    Order,
    OrderLine,
    RfmCutPoints,
    SocialMention,
    Ticket,
    WebVisit,
)
from resolvers.system.runtime import SourceRuntime
from schema import build_schema
from schema.context import Context
from sources.config import load_sources_config

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
CUSTOMERS = 50

AGENT_QUERY = (PROJECT_ROOT / "queries" / "agent.graphql").read_text(encoding="utf-8")
LIST_QUERY = """query($ids: [ID!]!) { customers(ids: $ids) {
  id name
  orders { id placedAt status total currency }
  invoices { id issuedOn dueOn amount amountPaid status }
  tickets { id subject status priority createdAt }
} }"""


def _profile(n: int) -> CustomerProfile:
    return CustomerProfile(
        "crm",
        f"C-{n}",
        f"First{n}",
        f"Last{n}",
        f"c{n}@example.com",
        f"+1555010{n:04d}",
        street=f"{n} Main St",
        city="Springfield",
        latitude=40.0 + n / 100,
        longitude=-75.0,
        twitter_handle=f"@c{n}",
        created_at=NOW - timedelta(days=400 + n),
    )


def _records(source: str, entity: str, n: int) -> list[Any]:
    """The records a source holds for one customer: a realistic handful of each kind."""
    if entity in {"orders"}:
        return [
            Order(
                source,
                f"SO-{n}-{i}",
                NOW - timedelta(days=3 * i),
                20.0 + i,
                "delivered",
                currency="USD",
                lines=(OrderLine(source, f"SKU-{i}", "Thing", 1, 20.0 + i),),
            )
            for i in range(12)
        ]
    if entity in {"invoices"}:
        return [
            Invoice(
                source,
                f"{source}-INV-{n}-{i}",
                100.0 + i,
                issued_on=date(2026, 10, 1) + timedelta(days=i),
                due_on=date(2026, 11, 1) + timedelta(days=i),
                amount_paid=0.0 if i == 0 else 100.0 + i,
                status="overdue" if i == 0 else "paid",
                currency="USD",
                kind="invoice",
            )
            for i in range(3)
        ]
    if entity == "tickets":
        return [
            Ticket(source, f"T-{n}-{i}", "open" if i == 0 else "closed", "Help", "high")
            for i in range(4)
        ]
    if entity == "web_visits":
        return [
            WebVisit(source, f"V-{n}-{i}", NOW - timedelta(hours=5 * i), cart_status="abandoned")
            for i in range(5)
        ]
    if entity == "social_mentions":
        return [
            SocialMention(source, f"M-{n}-{i}", NOW - timedelta(days=2 * i), "meh", -0.7)
            for i in range(3)
        ]
    if entity == "weather":
        return [CurrentWeather(source, 40.0, -75.0, NOW, 12.5, 3)]
    if entity == "rfm_cutpoints":
        cuts = (10.0, 20.0, 30.0, 40.0)
        return [RfmCutPoints(source, NOW, cuts, cuts, cuts, 1000)]
    raise KeyError(entity)


class StandInConnector:
    """Answers each batch after one small wait, from records built once per key."""

    def __init__(self, source: str, serves: dict[str, str]) -> None:
        self.source = source
        self._serves = serves
        self._answers: dict[tuple[str, str], list[Any]] = {}

    async def fetch(
        self, entity: str, kind: str, keys: Sequence[str], *, timeout_s: float
    ) -> list[list[Any]]:
        await asyncio.sleep(0)
        return [self._answer(entity, key) for key in keys]

    def _answer(self, entity: str, key: str) -> list[Any]:
        found = self._answers.get((entity, key))
        if found is None:
            serves = self._serves[entity]
            digits = "".join(c for c in key if c.isdigit())
            n = int(digits[-4:] or 0) % 10_000 if serves != "customer" else int(digits[-4:] or 0)
            found = [_profile(n)] if serves == "customer" else _records(self.source, serves, n)
            self._answers[(entity, key)] = found
        return found


class AsIs:
    """The records are built as domain records already: mapping is not measured here."""

    def map_many(self, raws: list[Any]) -> list[Any]:
        return raws


def stand_in_runtime() -> SourceRuntime:
    """The demo sources' routes (who serves what, by which key) over stand-in connectors."""
    config = load_sources_config(DEMO_SOURCES)
    runtime = SourceRuntime.from_config(config)
    for name, source in config.sources.items():
        serves = {entity: spec.serves for entity, spec in source.entities.items()}
        runtime.connectors[name] = StandInConnector(name, serves)  # type: ignore[assignment]
    for key in list(runtime.mappers):
        runtime.mappers[key] = AsIs()  # type: ignore[assignment]
    return runtime


@dataclass(slots=True, frozen=True)
class Case:
    name: str
    query: str
    variables: dict[str, Any]


CASES = (
    Case("agent view (saved query)", AGENT_QUERY, {"phone": "+15550100007"}),
    Case(
        f"customers(ids:) x{CUSTOMERS} with orders/invoices/tickets",
        LIST_QUERY,
        {"ids": [f"C-{n}" for n in range(1, CUSTOMERS + 1)]},
    ),
)

Run = Callable[[Context, dict[str, Any]], Awaitable[tuple[Any, list[Any]]]]


def executors(query: str) -> dict[str, Run]:
    """How this checkout can run ``query``: generically, and as a compiled plan if it has them.

    The generic executor parses and validates through caches, as the gateway does,
    so both columns measure execution.
    """
    schema = build_schema([ParserCache(maxsize=64), ValidationCache(maxsize=64)])

    async def generic(context: Context, variables: dict[str, Any]) -> tuple[Any, list[Any]]:
        result = await schema.execute(query, variable_values=variables, context_value=context)
        return result.data, list(result.errors or [])

    runs: dict[str, Run] = {"generic": generic}
    plan = _compiled_plan(schema, query)
    if plan is not None:

        async def compiled(context: Context, variables: dict[str, Any]) -> tuple[Any, list[Any]]:
            result = await plan.execute(context, variables)
            return result.data, list(result.errors)

        runs["compiled"] = compiled
    return runs


def _compiled_plan(schema: Any, query: str) -> Any:
    """The checkout's compiled plan of ``query``, wherever its engine lives; None without one."""
    for module in ("schema.compiled", "schema.execution"):
        try:
            compile_operation = importlib.import_module(module).compile_operation
        except (ImportError, AttributeError):
            continue
        return compile_operation(schema, parse(query))
    return None


async def measure(runtime: SourceRuntime, run: Run, case: Case, ops: int) -> float:
    """CPU µs per operation over ``ops`` operations, each with fresh per-request loaders."""
    loop = asyncio.get_running_loop()
    started = time.process_time_ns()
    for _ in range(ops):
        loaders = SystemLoaders(runtime, loop.time() + 60)
        context = Context(loaders=loaders, now=NOW, request_id="bench")
        data, errors = await run(context, case.variables)
        if errors or data is None:
            raise RuntimeError(f"{case.name}: {errors}")
    return (time.process_time_ns() - started) / ops / 1000


async def loop_work(runtime: SourceRuntime, run: Run, case: Case) -> tuple[int, int]:
    """The tasks and the loop callbacks (``call_soon``) of one operation."""
    loop = asyncio.get_running_loop()
    counts = [0, 0]
    call_soon = loop.call_soon

    def counted_call_soon(callback: Any, *args: Any, context: Any = None) -> Any:
        counts[1] += 1
        return call_soon(callback, *args, context=context)

    def counted_task(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        counts[0] += 1
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(counted_task)
    loop.call_soon = counted_call_soon  # type: ignore[method-assign,assignment]
    try:
        await run(_context(runtime), case.variables)
    finally:
        loop.set_task_factory(None)
        del loop.call_soon
    return counts[0], counts[1]


async def main(rounds: int, ops: int) -> None:
    runtime = stand_in_runtime()
    print(f"CPU µs per operation, best / median of {rounds} rounds of {ops}; stand-in sources")
    print(f"  {'operation':<52} {'executor':<9} {'best':>7} / {'median':>7}  tasks  callbacks")
    for case in CASES:
        runs = executors(case.query)
        answers = {name: await run(_context(runtime), case.variables) for name, run in runs.items()}
        if len({repr(a) for a in answers.values()}) != 1:
            raise RuntimeError(f"{case.name}: the executors disagree")
        for name, run in runs.items():
            await measure(runtime, run, case, ops // 4 or 1)  # warm up
            figures = [await measure(runtime, run, case, ops) for _ in range(rounds)]
            best, median = min(figures), statistics.median(figures)
            tasks, callbacks = await loop_work(runtime, run, case)
            print(
                f"  {case.name:<52} {name:<9} {best:7.0f} / {median:7.0f}  {tasks:5}  {callbacks:9}"
            )


def _context(runtime: SourceRuntime) -> Context:
    deadline = asyncio.get_running_loop().time() + 60
    return Context(loaders=SystemLoaders(runtime, deadline), now=NOW, request_id="bench")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ops", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.ops))
