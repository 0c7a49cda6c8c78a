"""Plans run inside Strawberry's extension pipeline: every extension sees them, once.

A schema built with an ``ExecutionEngine`` answers exactly as the same schema
without one (Strawberry and graphql-core alone); what the engine cannot compile
runs generically, is counted by reason and logged once per operation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import MaskErrors, SchemaExtension

from schema import build_schema
from schema.context import Context
from schema.execution import CompiledOperation, ExecutionEngine
from tests.fake_loaders import CUSTOMER_QUERY, NOW, FakeLoaders

CALLS: list[str] = []


@strawberry.type
class Item:
    n: int

    @strawberry.field
    async def double(self) -> int:
        CALLS.append(f"double {self.n}")
        return self.n * 2

    @strawberry.field
    def broken(self) -> int | None:
        raise ValueError(f"a bug in item {self.n}")


@strawberry.type
class Query:
    @strawberry.field
    def items(self, count: int = 2) -> list[Item]:
        CALLS.append("items")
        return [Item(n=i) for i in range(count)]


class Seen(SchemaExtension):
    """Records what an extension sees of each operation's result, after execution."""

    results: list[Any] = []  # noqa: RUF012 - shared by the per-request instances

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        Seen.results.append(result.data if result is not None else "no result")


class EveryResolver(SchemaExtension):
    """A resolver-wrapping extension (as tracing and permissions are)."""

    fields: list[str] = []  # noqa: RUF012 - shared by the per-request instances

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kw: Any
    ) -> Any:
        EveryResolver.fields.append(info.field_name)
        return _next(root, info, *args, **kw)


def toy(engine: ExecutionEngine | None, *extensions: Any) -> strawberry.Schema:
    plugged = [*extensions, engine.extension] if engine is not None else list(extensions)
    return strawberry.Schema(
        query=Query,
        extensions=plugged,
        execution_context_class=engine.execution_context_class if engine else None,
    )


@pytest.fixture(autouse=True)
def _fresh_records() -> None:
    CALLS.clear()
    Seen.results.clear()
    EveryResolver.fields.clear()


async def test_a_plan_runs_once_and_other_extensions_see_its_result() -> None:
    engine = ExecutionEngine()
    schema = toy(engine, Seen)
    query = "{ items { n double } }"
    for _ in range(2):
        result = await schema.execute(query)
        assert result.data == {"items": [{"n": 0, "double": 0}, {"n": 1, "double": 2}]}
    assert isinstance(engine.plans(schema).get((query, None)), CompiledOperation)
    assert CALLS == ["items", "double 0", "double 1"] * 2  # the plan alone, not graphql-core too
    assert Seen.results == [result.data] * 2


async def test_masking_applies_to_an_unexpected_error_in_a_planned_operation() -> None:
    engine = ExecutionEngine()
    schema = toy(engine, MaskErrors)
    query = "{ items(count: 1) { n broken } }"
    result = await schema.execute(query)
    assert isinstance(engine.plans(schema).get((query, None)), CompiledOperation)
    assert result.data == {"items": [{"n": 0, "broken": None}]}
    assert [(e.message, e.path) for e in result.errors or []] == [
        ("Unexpected error.", ["items", 0, "broken"])
    ]


@pytest.mark.parametrize("orders", [0, 3])
@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (CUSTOMER_QUERY, {"id": "C-1", "n": 2}),
        ('{ customer(id: "C-1") { orders(limit: -1) { id } name } }', None),
        ('query($n: Int!) { customer(id: "C-1") { orders(limit: $n) { id } } }', {}),
        ('{ customer(id: "C-1") { __typename name } __typename }', None),
    ],
)
async def test_the_customer_schema_answers_with_plans_as_without(
    orders: int, query: str, variables: Any
) -> None:
    answers = []
    for engine in (ExecutionEngine(), None):
        schema = build_schema(engine=engine)
        for _ in range(2):  # the first run compiles, the second finds the plan
            context = Context(loaders=FakeLoaders(orders), now=NOW, request_id="t")  # type: ignore[arg-type]
            result = await schema.execute(query, variable_values=variables, context_value=context)
            answers.append((result.data, [e.formatted for e in result.errors or []]))
    assert answers[0] == answers[1] == answers[2] == answers[3]
    assert answers[0] != (None, [])


async def test_a_fallback_is_counted_every_time_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fallbacks: list[str] = []
    engine = ExecutionEngine(on_fallback=fallbacks.append)
    schema = toy(engine)
    query = "query Types { __schema { queryType { name } } items { n } }"
    with caplog.at_level(logging.INFO, logger="c360.execution"):
        for _ in range(3):
            result = await schema.execute(query)
            assert result.data == {
                "__schema": {"queryType": {"name": "Query"}},
                "items": [{"n": 0}, {"n": 1}],
            }
    assert fallbacks == ["introspection"] * 3
    [line] = [r for r in caplog.records if r.name == "c360.execution"]
    assert "Types" in line.getMessage()
    assert "introspection" in line.getMessage()


async def test_a_resolver_extension_still_sees_every_field_and_the_fallback_is_counted() -> None:
    fallbacks: list[str] = []
    engine = ExecutionEngine(on_fallback=fallbacks.append)
    schema = toy(engine, EveryResolver)
    result = await schema.execute("{ items(count: 1) { n double } }")
    assert result.data == {"items": [{"n": 0, "double": 0}]}
    assert EveryResolver.fields == ["items", "n", "double"]
    assert fallbacks == ["resolver_extension"]


async def test_texts_longer_than_the_limit_run_but_are_not_kept() -> None:
    fallbacks: list[str] = []
    engine = ExecutionEngine(max_text_bytes=40, on_fallback=fallbacks.append)
    schema = toy(engine)
    long_query = "{ items { n } }" + " " * 40
    for _ in range(2):
        result = await schema.execute(long_query)
        assert result.data == {"items": [{"n": 0}, {"n": 1}]}
    assert fallbacks == ["too_large", "too_large"]
    assert len(engine.plans(schema)) == 0
    await schema.execute("{ items { n } }")
    assert len(engine.plans(schema)) == 1


async def test_the_plan_table_keeps_only_the_most_recently_used_texts() -> None:
    engine = ExecutionEngine(max_plans=2)
    schema = toy(engine)
    texts = [f"{{ items(count: {count}) {{ n }} }}" for count in range(3)]
    for text in [texts[0], texts[1], texts[0], texts[2]]:
        assert (await schema.execute(text)).errors is None
    cache = engine.plans(schema)
    assert len(cache) == 2
    assert (texts[0], None) in cache
    assert (texts[2], None) in cache
    assert (texts[1], None) not in cache


async def test_a_saved_query_is_compiled_at_start_and_says_why_not() -> None:
    engine = ExecutionEngine()
    schema = toy(engine)
    saved = "query Saved { items { double } }"
    assert engine.precompile(schema, saved) is None
    assert engine.precompile(schema, '{ __type(name: "Item") { name } }') == "introspection"
    assert len(engine.plans(schema)) == 2
    assert (await schema.execute(saved)).data == {"items": [{"double": 0}, {"double": 2}]}
    assert len(engine.plans(schema)) == 2  # the request found the saved plan
    assert CALLS == ["items", "double 0", "double 1"]
    with pytest.raises(ValueError, match="does not validate"):
        engine.precompile(schema, "{ nothing }")


async def test_variables_that_are_not_an_object_are_answered_as_without_plans() -> None:
    answers = []
    for engine in (ExecutionEngine(), None):
        schema = toy(engine)
        result = await schema.execute("query($c: Int) { items(count: $c) { n } }", [1])  # type: ignore[arg-type]
        answers.append((result.data, [e.message for e in result.errors or []]))
    assert answers[0] == answers[1]
    assert answers[0][1]
