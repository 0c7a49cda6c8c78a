"""A long list is completed in slices: other requests run before it is done, answers unchanged.

A source that answers thousands of records for one customer used to be completed
in one synchronous stretch, and eight such requests at once held every other
request for over a second. These tests pin the behaviour by order of events, not
by time: items note when they are completed, and a bystander task notes what it
saw each turn it got.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import pytest
import strawberry

from gateway.demand_control import demand_control
from schema.execution import ExecutionEngine, PlainDataExecutionContext, slices
from schema.execution.slices import SLICED_ITEMS

LONG = SLICED_ITEMS * 3


@strawberry.type
class Line:
    sku: str
    quantity: int


@strawberry.type
class Entry:
    n: int
    name: str
    lines: list[Line]


class NotedEntry:
    """An entry that counts, in ``completed``, how many entries of its list were completed."""

    def __init__(self, n: int, completed: list[int], *, named: bool = True) -> None:
        self.n = n
        self._completed = completed
        self._named = named
        self.lines = [Line(sku="a", quantity=n)]

    @property
    def name(self) -> str | None:
        self._completed[0] += 1
        return f"entry {self.n}" if self._named else None


LISTS: dict[str, list[int]] = {}
"""Each list's completion count by its ``tag`` argument."""


def entries(tag: str, count: int, unnamed_at: int = -1) -> list[Entry]:
    completed = LISTS.setdefault(tag, [0])
    noted = [NotedEntry(n, completed, named=n != unnamed_at) for n in range(count)]
    return cast(list[Entry], noted)


@strawberry.type
class Query:
    @strawberry.field
    def entries(self, tag: str, count: int, unnamed_at: int = -1) -> list[Entry]:
        return entries(tag, count, unnamed_at)

    @strawberry.field
    def maybe_entries(self, tag: str, count: int, unnamed_at: int = -1) -> list[Entry | None]:
        return cast(list[Entry | None], entries(tag, count, unnamed_at))


def schema(path: str) -> strawberry.Schema:
    control = demand_control(10**9, max_answer_items=10**6, deadline_ms=60_000)
    if path == "engine":
        engine = ExecutionEngine()
        return strawberry.Schema(
            query=Query,
            extensions=[control, engine.extension],
            execution_context_class=engine.execution_context_class,
        )
    return strawberry.Schema(
        query=Query, extensions=[control], execution_context_class=PlainDataExecutionContext
    )


QUERY = (
    "query Q($tag: String!, $count: Int!, $unnamedAt: Int! = -1) "
    "{ %s(tag: $tag, count: $count, unnamedAt: $unnamedAt) { n name lines { sku quantity } } }"
)


async def answer(path: str, tag: str, count: int, field: str = "entries", **more: Any) -> Any:
    deadline = asyncio.get_running_loop().time() + 60
    context = SimpleNamespace(loaders=SimpleNamespace(deadline=deadline))
    result = await schema(path).execute(
        QUERY % field, variable_values={"tag": tag, "count": count, **more}, context_value=context
    )
    formatted: dict[str, Any] = {"data": result.data}
    if result.errors:
        formatted["errors"] = [error.formatted for error in result.errors]
    return formatted


@pytest.fixture(autouse=True)
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """One look at the clock per slice: the slices' boundaries no longer depend on speed."""
    monkeypatch.setattr(slices, "SLICE_S", 0.0)
    LISTS.clear()


async def test_a_long_list_lets_another_task_run_before_it_is_complete() -> None:
    seen: list[int] = []
    done = asyncio.Event()

    async def bystander() -> None:
        while not done.is_set():
            seen.append(LISTS.get("long", [0])[0])
            await asyncio.sleep(0)

    watching = asyncio.create_task(bystander())
    result = await answer("engine", "long", LONG)
    done.set()
    await watching
    assert len(result["data"]["entries"]) == LONG
    assert any(0 < completed < LONG for completed in seen), "no turn while half completed"


async def test_a_short_list_is_completed_in_one_go() -> None:
    seen: list[int] = []
    done = asyncio.Event()

    async def bystander() -> None:
        while not done.is_set():
            seen.append(LISTS.get("short", [0])[0])
            await asyncio.sleep(0)

    watching = asyncio.create_task(bystander())
    await answer("engine", "short", SLICED_ITEMS)
    done.set()
    await watching
    assert not any(0 < completed < SLICED_ITEMS for completed in seen)


async def test_long_lists_are_completed_one_after_the_other_in_arrival_order() -> None:
    """The second waits until the first is done (no interleaving), the loop turning meanwhile."""
    first_when_second_began: list[int] = []
    bystander_saw: list[tuple[int, int]] = []

    async def second() -> Any:
        await asyncio.sleep(0)  # the first one starts first
        return await answer("engine", "second", LONG)

    async def watch() -> None:
        for _ in range(LONG * 4):  # turns: far more than two lists' slices
            first, later = LISTS.get("first", [0])[0], LISTS.get("second", [0])[0]
            bystander_saw.append((first, later))
            if later and not first_when_second_began:
                first_when_second_began.append(first)
            if later >= LONG:
                return
            await asyncio.sleep(0)

    watching = asyncio.create_task(watch())
    one, two = await asyncio.gather(answer("engine", "first", LONG), second())
    await watching
    assert len(one["data"]["entries"]) == len(two["data"]["entries"]) == LONG
    assert first_when_second_began == [LONG]
    assert any(0 < first < LONG for first, _ in bystander_saw)
    assert any(0 < later < LONG for _, later in bystander_saw)


async def test_a_long_list_past_its_deadline_completes_no_item() -> None:
    context = SimpleNamespace(loaders=SimpleNamespace(deadline=0.0))
    result = await schema("engine").execute(
        QUERY % "entries", variable_values={"tag": "late", "count": LONG}, context_value=context
    )
    assert result.data is None
    assert result.errors is not None
    assert [error.extensions for error in result.errors] == [
        {"code": "DEADLINE_EXCEEDED", "deadlineMs": 60_000}
    ]
    assert LISTS["late"] == [0]


@pytest.mark.parametrize("field", ["entries", "maybeEntries"])
@pytest.mark.parametrize("unnamed_at", [-1, 0, LONG - 1])
async def test_a_sliced_answer_is_graphql_cores(field: str, unnamed_at: int) -> None:
    """Same data and errors as graphql-core's, a null where none may be included (careful way)."""
    sliced = await answer("engine", "a", LONG, field, unnamedAt=unnamed_at)
    core = await answer("generic", "b", LONG, field, unnamedAt=unnamed_at)
    assert sliced == core
    if unnamed_at >= 0:
        assert sliced["errors"][0]["path"][:2] == [field, unnamed_at]
