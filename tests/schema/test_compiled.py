"""A compiled operation answers exactly what graphql-core's generic execution answers.

Each case runs the same operation both ways on the same schema and compares data
and errors (message, locations, path, extensions). A small schema of its own
exercises what the Customer 360 schema has no example of yet: resolvers that
read ``info``, arguments from variables, values that arrive only after a wait,
non-null fields failing before and after a wait.
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest
import strawberry
from graphql import parse

from schema import build_schema
from schema.context import Context
from schema.execution import NotCompilable, compile_operation
from tests.fake_loaders import CUSTOMER_QUERY, NOW, FakeLoaders


class Refused(Exception):
    """A typed error, as sources raise them: it carries its own code."""

    extensions = {"code": "REFUSED"}  # noqa: RUF012 - read only


@strawberry.type
class Leaf:
    n: int

    @strawberry.field
    def where(self, info: strawberry.Info) -> str:
        variables = sorted(info.variable_values)
        return f"{info.path.as_list()} {info.field_name} {variables} {info.context['tag']}"

    @strawberry.field
    def asked_with(self, info: strawberry.Info) -> str:
        return f"{info.input_extensions} {type(info.variable_values).__name__}"

    @strawberry.field
    async def later(self, times: int = 1) -> int:
        await asyncio.sleep(0)
        return self.n * times

    @strawberry.field
    async def fails_later(self) -> int:
        await asyncio.sleep(0)
        raise Refused(f"leaf {self.n} refused after a wait")

    @strawberry.field
    def fails_now(self) -> int:
        raise Refused(f"leaf {self.n} refused at once")

    @strawberry.field
    async def maybe_later(self) -> int | None:
        await asyncio.sleep(0)
        if self.n % 2:
            raise Refused(f"odd leaf {self.n}")
        return self.n

    @strawberry.field
    async def children(self) -> list[Leaf]:
        await asyncio.sleep(0)
        return [Leaf(n=self.n * 10 + i) for i in range(2)]

    @strawberry.field
    def bad_int(self) -> int | None:
        return 2**40  # out of GraphQL's Int range: a leaf that does not coerce


@strawberry.type
class Echo:
    seen: str

    @strawberry.field
    def deeper(self, info: strawberry.Info, times: int = 1) -> Echo:
        return Echo(seen=f"{times} {info.selected_fields}")


@strawberry.type
class Query:
    @strawberry.field
    def echo(self, info: strawberry.Info, times: int = 1) -> Echo:
        return Echo(seen=f"{times} {info.selected_fields}")

    @strawberry.field
    def leaves(self, count: int = 3) -> list[Leaf | None]:
        return [Leaf(n=i) for i in range(count)]

    @strawberry.field
    async def strict_leaves(self) -> list[Leaf]:
        return [Leaf(n=i) for i in range(3)]

    @strawberry.field
    def leaf(self) -> Leaf:
        return Leaf(n=7)

    @strawberry.field
    def maybe_leaf(self) -> Leaf | None:
        return Leaf(n=7)


TOY = strawberry.Schema(query=Query)

TOY_CASES: list[tuple[str, dict[str, Any] | None]] = [
    ("{ leaves { n where } }", None),
    ("query($k: Int!) { leaves(count: $k) { n later(times: $k) where } }", {"k": 4}),
    ("query($k: Int = 2) { leaves(count: $k) { later } }", None),
    ("{ leaves { n failsLater } }", None),
    ("{ leaves { n failsNow } }", None),
    ("{ leaves { maybeLater children { n later children { n maybeLater } } } }", None),
    ("{ strictLeaves { n failsLater } }", None),
    ("{ leaf { n failsLater } }", None),
    ("{ maybeLeaf { n failsLater } leaves { n } }", None),
    ("{ maybeLeaf { n failsNow } leaf { n later } }", None),
    ("{ maybeLeaf { later failsNow children { n } } }", None),
    ("{ leaves { later failsNow } }", None),
    ("{ strictLeaves { maybeLater n } maybeLeaf { failsNow } }", None),
    ("{ strictLeaves { maybeLater children { maybeLater } failsNow } }", None),
    ("{ leaves { badInt n } }", None),
    ("{ a: leaf { x: n, y: n } ...F b: leaf { ... on Leaf { n } } }", None),
    ("{ leaf { n @skip(if: true) where @include(if: true) later @include(if: false) } }", None),
    ("{ __typename leaf { __typename n } }", None),
    ("{ echo(times: 2) { seen deeper { seen } } }", None),
    ("query($t: Int!) { echo(times: $t) { seen deeper { seen } } }", {"t": 3}),
    ("query($t: Int!) { echo { seen deeper(times: $t) { seen } } }", {"t": 4}),
    ("query($k: Int!) { leaves(count: $k) { n } }", {"k": "three"}),
    ("query($k: Int!) { leaves(count: $k) { n } }", {}),
]


def answer(result: Any) -> tuple[Any, list[Any]]:
    """Data and errors as a client sees them (errors in a stable order)."""
    errors = [e.formatted for e in result.errors or ()]
    return result.data, sorted(errors, key=repr)


async def both_ways(
    schema: strawberry.Schema,
    query: str,
    variables: Any,
    context: Any,
    extensions: dict[str, Any] | None = None,
) -> Any:
    generic = await schema.execute(
        query, variable_values=variables, context_value=context(), operation_extensions=extensions
    )
    plan = compile_operation(schema, parse(query))
    compiled = await plan.execute(context(), variables, extensions=extensions)
    return answer(generic), answer(compiled)


@pytest.mark.parametrize(("query", "variables"), TOY_CASES)
async def test_compiled_answers_like_graphql_core(query: str, variables: Any) -> None:
    query = query + " fragment F on Query { leaf { n } }" if "...F" in query else query
    generic, compiled = await both_ways(TOY, query, variables, lambda: {"tag": "ctx"})
    assert compiled == generic
    assert generic[0] is not None or generic[1]  # each case answers something


async def test_non_null_failure_after_a_wait_nulls_the_nearest_nullable_parent() -> None:
    plan = compile_operation(TOY, parse("{ maybeLeaf { n failsLater } leaves(count: 1) { n } }"))
    result = await plan.execute({"tag": "t"})
    assert result.data == {"maybeLeaf": None, "leaves": [{"n": 0}]}
    [error] = result.errors
    assert error.path == ["maybeLeaf", "failsLater"]
    assert error.extensions == {"code": "REFUSED"}


async def test_resolvers_see_the_request_extensions_as_strawberry_gives_them() -> None:
    query = "query($k: Int!) { leaves(count: $k) { askedWith } }"
    extensions = {"persistedQuery": {"version": 1}, "trace": "on"}
    generic, compiled = await both_ways(TOY, query, {"k": 1}, lambda: {}, extensions)
    assert compiled == generic
    assert compiled[0] == {"leaves": [{"askedWith": f"{extensions} dict"}]}


async def test_resolvers_see_their_path_and_the_variables() -> None:
    query = "query($k: Int!) { leaves(count: $k) { where } }"
    result = await compile_operation(TOY, parse(query)).execute({"tag": "t"}, {"k": 2})
    assert result.data == {
        "leaves": [{"where": f"['leaves', {i}, 'where'] where ['k'] t"} for i in range(2)]
    }


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("{ __schema { types { name } } }", "introspection"),
        ("query($s: Boolean!) { leaf { n @skip(if: $s) } }", "variable"),
        ("query A { leaf { n } } query B { leaves { n } }", "several operations"),
    ],
)
def test_what_is_not_compiled_says_why(query: str, why: str) -> None:
    with pytest.raises(NotCompilable, match=why):
        compile_operation(TOY, parse(query))


@pytest.mark.parametrize("orders", [0, 1, 250])
async def test_customer_records_answer_like_graphql_core(orders: int) -> None:
    schema = build_schema()

    def context() -> Context:
        return Context(loaders=FakeLoaders(orders), now=NOW, request_id="t")  # type: ignore[arg-type]

    variables = {"id": "C-1", "n": 3}
    generic, compiled = await both_ways(schema, CUSTOMER_QUERY, variables, context)
    assert compiled == generic
    assert len(compiled[0]["customer"]["orders"]) == orders


@pytest.mark.parametrize(
    "query",
    [
        '{ customer(id: "C-1", email: "a@b.c") { id } }',
        '{ customer(id: "C-1") { orders(limit: -1) { id } name } }',
        '{ customer(id: "C-1") { orders { id total } } }',
    ],
)
async def test_customer_errors_answer_like_graphql_core(query: str) -> None:
    schema = build_schema()

    def context() -> Context:
        loaders = FakeLoaders(2)
        object.__setattr__(loaders.records["orders"][1], "total", None)  # non-null Order.total
        return Context(loaders=loaders, now=NOW, request_id="t")  # type: ignore[arg-type]

    generic, compiled = await both_ways(schema, query, None, context)
    assert compiled == generic
    assert compiled[1]  # every case is an error case


@strawberry.type
class SharedQuery:
    """Two fields waiting on the same future, one directly, one from a task of its own
    (as a dataloader's cached future is awaited by a field and by a gather elsewhere)."""

    @strawberry.field
    async def direct(self, info: strawberry.Info) -> int:
        value: int = await info.context["shared"]
        return value

    @strawberry.field
    async def through_a_task(self, info: strawberry.Info) -> int:
        async def wait() -> int:
            value: int = await info.context["shared"]
            return value

        [value] = await asyncio.gather(wait())
        return value + 1


async def test_a_future_awaited_eagerly_and_by_another_task_resumes_both() -> None:
    schema = strawberry.Schema(query=SharedQuery)

    def context() -> dict[str, Any]:
        shared = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.01, shared.set_result, 41)
        return {"shared": shared}

    query = "{ directFirst: direct throughATask direct2: direct }"
    generic, compiled = await both_ways(schema, query, None, context)
    assert compiled == generic == ({"directFirst": 41, "throughATask": 42, "direct2": 41}, [])


async def test_operations_sharing_generated_code_keep_their_own_response_keys() -> None:
    """Plain objects of the same shape share generated code; keys and completers stay per plan."""
    schema = build_schema()

    def context() -> Context:
        return Context(loaders=FakeLoaders(2), now=NOW, request_id="t")  # type: ignore[arg-type]

    answers = []
    for aliases in ("a: id b: total", "b: id a: total", "id total"):
        query = f'{{ customer(id: "C-1") {{ orders {{ {aliases} }} }} }}'
        generic, compiled = await both_ways(schema, query, None, context)
        assert compiled == generic
        answers.append(compiled[0]["customer"]["orders"][0])
    assert answers == [
        {"a": "SO-0", "b": 10.0},
        {"b": "SO-0", "a": 10.0},
        {"id": "SO-0", "total": 10.0},
    ]


@strawberry.type
class Visit:
    day: datetime.date
    at: datetime.datetime | None
    note: str


def visits(hole: bool, day: Any = None) -> list[Visit]:
    found = [
        Visit(
            day=day or datetime.date(2025, 1, i + 1),
            at=datetime.datetime(2025, 1, i + 1, 12, 30, tzinfo=datetime.UTC) if i % 2 else None,
            note=f"visit {i}",
        )
        for i in range(3)
    ]
    return [found[0], None, *found[1:]] if hole else found  # type: ignore[list-item]


@strawberry.type
class Reading:
    value: float


@strawberry.type
class PlainQuery:
    @strawberry.field
    def readings(self, odd: bool = False) -> list[Reading] | None:
        values = [1.5, -0.0, float("inf"), float("nan")] if odd else [1.5, -0.0, 2.0]
        return [Reading(value=v) for v in values]

    @strawberry.field
    def visits(self, hole: bool = False) -> list[Visit]:
        return visits(hole)

    @strawberry.field
    def maybe_visits(self, hole: bool = False) -> list[Visit] | None:
        return visits(hole)

    @strawberry.field
    def days(self, hole: bool = False) -> list[datetime.date] | None:
        days = [datetime.date(2025, 2, 1), datetime.date(2025, 2, 2)]
        return [days[0], None, days[1]] if hole else days  # type: ignore[list-item]

    @strawberry.field
    def odd_days(self) -> list[Visit] | None:
        return visits(False, day="2025-01-01")  # not a date: Strawberry's scalar refuses it


@pytest.mark.parametrize(
    "query",
    [
        "{ visits { day at note } maybeVisits { at day } }",
        "{ maybeVisits(hole: true) { day at } visits { note } }",
        "{ visits(hole: true) { day } }",
        "{ days dayList: days(hole: false) }",
        "{ days(hole: true) }",
        "{ oddDays { day note } }",
        "{ readings { value } }",
        "{ readings(odd: true) { value } }",
    ],
)
async def test_plain_lists_of_dates_and_non_null_items_answer_like_graphql_core(
    query: str,
) -> None:
    # Plain data completed the fast way: dates formatted inline, a null among non-null
    # items found once per list (then the careful way words the error as graphql-core).
    schema = strawberry.Schema(query=PlainQuery)
    generic, compiled = await both_ways(schema, query, None, lambda: None)
    assert compiled == generic
    assert compiled[0] is not None or compiled[1]
