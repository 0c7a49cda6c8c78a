"""A request's completion is bounded: list items in its answer, and its deadline.

The same operations run through the engine (compiled plans, the fast plain-data
completion, the careful completion of lists of resolved objects), through
graphql-core with ``PlainDataExecutionContext`` (what the engine falls back to)
and through graphql-core's executor alone (``BoundedExecutionContext``, what
``C360_COMPILED=false`` runs), each with ``demand_control``'s budget as the
gateway installs it. Over the item
limit, or once the deadline has passed, both answer the same one error and no
data; within them, both answer in full and as without a budget.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry

from gateway.demand_control import demand_control
from schema.execution import (
    BoundedExecutionContext,
    ExecutionEngine,
    PlainDataExecutionContext,
)
from schema.execution.budget import (
    CHECK_EVERY,
    CompletionBudget,
    CompletionStopped,
    deadline_passed,
    running,
    too_many_items,
)


@strawberry.type
class Line:
    sku: str
    quantity: int


@strawberry.type
class Item:
    n: int
    name: str
    lines: list[Line]


def items(count: int) -> list[Item]:
    return [
        Item(n=n, name=f"item {n}", lines=[Line(sku="a", quantity=n)] * 2) for n in range(count)
    ]


@strawberry.type
class Holder:
    n: int

    @strawberry.field
    async def items(self, count: int) -> list[Item]:
        await asyncio.sleep(0)
        return items(count)


@strawberry.type
class Query:
    @strawberry.field
    def items(self, count: int) -> list[Item]:
        return items(count)

    @strawberry.field
    def numbers(self, count: int) -> list[int]:
        return list(range(count))

    @strawberry.field
    async def holders(self, count: int) -> list[Holder]:
        await asyncio.sleep(0)
        return [Holder(n=n) for n in range(count)]


ITEMS = "query Q($count: Int!) { items(count: $count) { n name lines { sku quantity } } }"
NUMBERS = "query Q($count: Int!) { numbers(count: $count) }"
HOLDERS = (
    "query Q($count: Int!) "
    "{ holders(count: $count) { n items(count: $count) { n lines { sku } } } }"
)


def build(path: str, max_items: int) -> strawberry.Schema:
    control = demand_control(10**9, max_answer_items=max_items, deadline_ms=5_000)
    if path == "engine":
        engine = ExecutionEngine()
        return strawberry.Schema(
            query=Query,
            extensions=[control, engine.extension],
            execution_context_class=engine.execution_context_class,
        )
    executor = PlainDataExecutionContext if path == "generic" else BoundedExecutionContext
    return strawberry.Schema(query=Query, extensions=[control], execution_context_class=executor)


async def run(
    path: str, query: str, count: int, *, max_items: int = 200_000, late_by: float = -60.0
) -> dict[str, Any]:
    """The formatted answer; the deadline is ``late_by`` seconds ago (negative: still ahead)."""
    deadline = asyncio.get_running_loop().time() - late_by
    context = SimpleNamespace(loaders=SimpleNamespace(deadline=deadline))
    result = await build(path, max_items).execute(
        query, variable_values={"count": count}, context_value=context
    )
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [error.formatted for error in result.errors]
    return answer


PATHS = ["engine", "generic", "graphql-core"]


def only_error(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["data"] is None
    (error,) = answer["errors"]
    return dict(error)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("query", "count", "total"),
    [(ITEMS, 300, 300 * 3), (NUMBERS, 600, 600), (HOLDERS, 20, 20 + 20 * 20 * 3)],
)
async def test_an_answer_over_the_item_limit_is_one_error_naming_the_limit(
    path: str, query: str, count: int, total: int
) -> None:
    error = only_error(await run(path, query, count, max_items=total - 1))
    assert error["extensions"] == {"code": "RESPONSE_TOO_LARGE", "limit": total - 1}
    assert error["message"] == too_many_items(total - 1).message
    assert f"at most {total - 1} (C360_MAX_ANSWER_ITEMS)" in error["message"]
    whole = await run(path, query, count, max_items=total)
    assert "errors" not in whole


@pytest.mark.parametrize(("query", "count"), [(ITEMS, 300), (NUMBERS, 600), (HOLDERS, 20)])
async def test_the_engine_and_graphql_core_stop_with_the_same_error(query: str, count: int) -> None:
    engine = only_error(await run("engine", query, count, max_items=100))
    generic = only_error(await run("generic", query, count, max_items=100))
    assert engine["message"] == generic["message"]
    assert engine["extensions"] == generic["extensions"]
    late_engine = only_error(await run("engine", ITEMS, 3 * CHECK_EVERY, late_by=1.0))
    late_generic = only_error(await run("generic", ITEMS, 3 * CHECK_EVERY, late_by=1.0))
    assert late_engine == late_generic


@pytest.mark.parametrize(("query", "count"), [(ITEMS, 300), (NUMBERS, 600), (HOLDERS, 20)])
async def test_graphql_core_alone_stops_with_the_engines_error(query: str, count: int) -> None:
    # The same error; where it is located is where graphql-core's own completion was
    # when its budget ran out (it charges each list as it reaches it, items in order).
    cases = [(query, count, 100, -60.0), (ITEMS, 3 * CHECK_EVERY, 200_000, 1.0)]
    for text, n, max_items, late_by in cases:
        engine = only_error(await run("engine", text, n, max_items=max_items, late_by=late_by))
        alone = only_error(await run("graphql-core", text, n, max_items=max_items, late_by=late_by))
        assert (alone["message"], alone["extensions"]) == (engine["message"], engine["extensions"])
        assert alone["path"][0] == engine["path"][0]


async def test_a_long_list_charged_in_slices_stops_within_it_at_the_item_limit() -> None:
    # One list of 3 x CHECK_EVERY numbers, the limit inside its second slice: charged by
    # slices as graphql-core's executor takes them, not once for the whole list.
    budget = CompletionBudget(max_items=CHECK_EVERY + 10)
    schema = strawberry.Schema(query=Query, execution_context_class=BoundedExecutionContext)
    with running(budget):
        result = await schema.execute(NUMBERS, variable_values={"count": 3 * CHECK_EVERY})
    assert budget.stopped is not None
    assert budget.counted == 2 * CHECK_EVERY  # two slices charged, the third never reached
    assert result.errors and isinstance(result.errors[0].original_error, CompletionStopped)


def test_the_gateway_schema_without_the_engine_runs_graphql_core_bounded() -> None:
    # C360_COMPILED=false builds the schema without an engine: its executor is bounded too.
    from schema import build_schema

    assert build_schema().execution_context_class is BoundedExecutionContext


@pytest.mark.parametrize("path", PATHS)
async def test_a_completion_past_the_deadline_stops_with_deadline_exceeded(path: str) -> None:
    error = only_error(await run(path, ITEMS, 3 * CHECK_EVERY, late_by=1.0))
    assert error["message"] == (
        "The request's deadline of 5000 ms passed while completing the answer."
    )
    assert error["extensions"] == {"code": "DEADLINE_EXCEEDED", "deadlineMs": 5_000}
    # graphql-core alone stops at the first list it charges past the deadline: a list in
    # the first item (the engine charges the long list's first slice at once, and stops).
    assert error["path"] == ["items"] if path != "graphql-core" else error["path"][0] == "items"
    in_time = await run(path, ITEMS, 3 * CHECK_EVERY)
    assert "errors" not in in_time
    assert len(in_time["data"]["items"]) == 3 * CHECK_EVERY


@pytest.mark.parametrize("path", PATHS)
async def test_lists_of_resolved_objects_stop_at_the_deadline_too(path: str) -> None:
    # 5 holders x 1,000 items: no single list is long, the items add up past a check.
    query = "query Q($count: Int!) { holders(count: 5) { n items(count: $count) { n } } }"
    error = only_error(await run(path, query, 1_000, late_by=1.0))
    assert error["extensions"]["code"] == "DEADLINE_EXCEEDED"


@pytest.mark.parametrize("path", PATHS)
async def test_within_the_limits_the_answer_is_what_it_is_without_them(path: str) -> None:
    for query, count in [(ITEMS, 50), (NUMBERS, 50), (HOLDERS, 5)]:
        bounded = await run(path, query, count)
        plain = await strawberry.Schema(query=Query).execute(
            query, variable_values={"count": count}
        )
        assert bounded == {"data": plain.data}


def test_the_budget_counts_every_item_charged() -> None:
    budget = CompletionBudget(max_items=2 * CHECK_EVERY + 5)
    for _ in range(2 * CHECK_EVERY + 5):
        budget.charge(1)
    with pytest.raises(CompletionStopped, match="more than 4005 list items"):
        budget.charge(1)
    with pytest.raises(CompletionStopped):  # and every charge after it
        budget.charge(0)


def test_the_clock_is_read_once_per_check_and_a_passed_deadline_stops() -> None:
    now = [0.0]
    reads: list[float] = []

    def clock() -> float:
        reads.append(now[0])
        return now[0]

    budget = CompletionBudget(10**6, deadline=5.0, deadline_ms=5_000, clock=clock)
    budget.charge(CHECK_EVERY)
    assert reads == []
    budget.charge(1)
    assert reads == [0.0]
    now[0] = 6.0
    budget.charge(CHECK_EVERY)
    with pytest.raises(CompletionStopped) as stopped:
        budget.charge(1)
    assert stopped.value.message == deadline_passed(5_000).message


async def test_without_a_running_budget_nothing_is_counted() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=PlainDataExecutionContext)
    result = await schema.execute(NUMBERS, variable_values={"count": 3 * CHECK_EVERY})
    assert result.errors is None
    with running(CompletionBudget(10)):
        result = await schema.execute(NUMBERS, variable_values={"count": 11})
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "RESPONSE_TOO_LARGE", "limit": 10}


def unbounded(path: str) -> strawberry.Schema:
    """The path's schema without demand control: the test installs its own budget."""
    if path == "engine":
        engine = ExecutionEngine()
        return strawberry.Schema(
            query=Query,
            extensions=[engine.extension],
            execution_context_class=engine.execution_context_class,
        )
    executor = PlainDataExecutionContext if path == "generic" else BoundedExecutionContext
    return strawberry.Schema(query=Query, execution_context_class=executor)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("query", "count", "longest"),
    [(HOLDERS, 7, 7), (ITEMS, 3, 3), (ITEMS, 3 * CHECK_EVERY, 3 * CHECK_EVERY), (NUMBERS, 2, 2)],
)
async def test_the_budget_knows_the_longest_list_of_the_answer(
    path: str, query: str, count: int, longest: int
) -> None:
    # What the response's encoding reads to know that no list of the answer is long,
    # whichever way a list was completed (whole, in slices, item by item).
    budget = CompletionBudget(max_items=10**6)
    with running(budget):
        result = await unbounded(path).execute(query, variable_values={"count": count})
    assert result.errors is None
    assert budget.longest == longest
