"""The gateway's checks run composed into one extension, and nobody can tell but the CPU.

``gateway.pipeline.compose`` replaces adjacent schema extensions by one, so
Strawberry's per-extension work happens once per request instead of nine times.
What a client or an operator sees must not change: the same answers, errors,
``extensions`` and metrics as with the checks as separate extensions, hooks in
the same order, exceptions passed on as Strawberry's exit stack does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from graphql import GraphQLResolveInfo
from prometheus_client import REGISTRY
from strawberry.extensions import SchemaExtension

from bench.resolver_cpu import AGENT_QUERY, NOW, stand_in_runtime
from gateway.extensions import gateway_extension_list, gateway_extensions
from gateway.pipeline import compose
from gateway.settings import Settings
from resolvers.system.loaders import SystemLoaders
from schema import build_schema
from schema.context import Context
from schema.execution import ExecutionEngine

# --- composition itself, on a small schema ---------------------------------------------


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self) -> str:
        return "hello"


def recorder(name: str, events: list[str], *, fail_after: str | None = None) -> type:
    """An extension noting each hook's two halves in ``events`` (plain, generator, async)."""

    class Recorder(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            events.append(f"{name} operation in")
            yield
            if fail_after == "operation":
                raise ValueError(f"{name} failed after the operation")
            events.append(f"{name} operation out")

        def on_parse(self) -> None:  # type: ignore[override]  # a plain hook, as Strawberry allows
            events.append(f"{name} parse")

        async def on_validate(self) -> AsyncIterator[None]:
            events.append(f"{name} validate in")
            await asyncio.sleep(0)
            yield
            events.append(f"{name} validate out")

        def on_execute(self) -> Iterator[None]:
            events.append(f"{name} execute in")
            try:
                yield
            except ValueError:
                events.append(f"{name} execute saw the failure")
                raise
            events.append(f"{name} execute out")

        def get_results(self) -> dict[str, Any]:
            return {name: len(events), "last": name}

    Recorder.__name__ = f"Recorder{name}"
    return Recorder


class FailsToExecute(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        yield
        raise ValueError("failed after executing")


class Forgiving(SchemaExtension):
    """Swallows what a later extension raised after executing: earlier ones see nothing."""

    def on_execute(self) -> Iterator[None]:
        try:
            yield
        except ValueError:
            pass


class Shouting(SchemaExtension):
    """Wraps resolvers: must stay its own extension, and keep working."""

    def resolve(
        self, _next: Any, root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kw: Any
    ) -> Any:
        return str(_next(root, info, *args, **kw)).upper()


def answer_and_events(extensions: list[Any], events: list[str]) -> tuple[Any, list[str]]:
    schema = strawberry.Schema(query=Query, extensions=extensions)
    result = asyncio.run(schema.execute("{ greeting }"))
    errors = [error.message for error in result.errors or []]
    return (result.data, errors, result.extensions), list(events)


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(("a", "b", "c"), id="all composable"),
        pytest.param(("a", "fails", "b"), id="an exception after execute"),
        pytest.param(("a", "b", "fails on operation"), id="an exception after the operation"),
        pytest.param(("a", "forgive", "fails", "b"), id="an exception swallowed"),
        pytest.param(("a", "shout", "b", "c"), id="a resolver wrap in the middle"),
    ],
)
def test_composed_extensions_answer_and_run_hooks_as_separate_ones(layout: tuple[str, ...]) -> None:
    def build(events: list[str]) -> list[Any]:
        extensions: list[Any] = []
        for name in layout:
            if name == "fails":
                extensions.append(FailsToExecute)
            elif name == "forgive":
                extensions.append(Forgiving)
            elif name == "shout":
                extensions.append(Shouting)
            elif name == "fails on operation":
                extensions.append(recorder("z", events, fail_after="operation"))
            else:
                extensions.append(recorder(name, events))
        return extensions

    separate_events: list[str] = []
    composed_events: list[str] = []
    separate = answer_and_events(build(separate_events), separate_events)
    composed_list = compose(build(composed_events))
    composed = answer_and_events(composed_list, composed_events)

    assert composed == separate
    assert len(composed_list) < len(layout)  # something was composed
    assert separate_events[0] == "a operation in"  # and something ran


def test_resolver_wraps_and_instances_keep_their_own_place() -> None:
    events: list[str] = []
    first, second = recorder("a", events), recorder("b", events)
    instance = Shouting()
    assert compose([first, Shouting, second]) == [first, Shouting, second]
    assert compose([first, instance, second]) == [first, instance, second]


# --- the gateway's own checks, on the real schema ------------------------------------------

ANY_QUERY = "query Small($id: ID!) { customer(id: $id) { id name } }"

REQUESTS: list[tuple[str, str, Any, dict[str, Any] | None]] = [
    ("the agent view, cost asked for", AGENT_QUERY, {"phone": "+15550100007"}, {"cost": True}),
    ("one customer", ANY_QUERY, {"id": "C-7"}, None),
    ("a lookup the client got wrong", "{ customer { id } }", None, None),
    ("a syntax error", "{ customer(id: ", None, None),
    ("an unknown field", "{ customer(id: 1) { shoeSize } }", None, None),
    (
        "too deep",
        "{" + "__schema { types { fields { type { ofType {" * 6 + "name" + "}" * 31,
        None,
        None,
    ),
    ("two operations, no name", "query A { __typename } query B { __typename }", None, None),
    (
        "too many ids",
        "query($ids: [ID!]!) { customers(ids: $ids) { id } }",
        {"ids": ["C-1"] * 1001},
        None,
    ),
    (
        "too costly",
        "{ a: customers(ids: ["
        + ",".join(['"C-1"'] * 900)
        + "]) { orders { id lines { sku } } } }",
        None,
        None,
    ),
    ("variables not an object", ANY_QUERY, "nope", None),
]


def metric_samples() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in REGISTRY.collect()
        if family.name.startswith("c360_operation") or family.name.startswith("c360_graphql")
        for sample in family.samples
        if not sample.name.endswith(("_created", "_bucket", "_sum"))
    }


def run_request(schema: strawberry.Schema, query: str, variables: Any, extensions: Any) -> Any:
    runtime = stand_in_runtime()

    async def run() -> Any:
        loaders = SystemLoaders(runtime, asyncio.get_running_loop().time() + 60)
        context = Context(loaders=loaders, now=NOW, request_id="test")
        return await schema.execute(
            query, variable_values=variables, context_value=context, operation_extensions=extensions
        )

    before = metric_samples()
    result = asyncio.run(run())
    after = metric_samples()
    moved = {
        key: after[key] - before.get(key, 0.0) for key in after if after[key] != before.get(key)
    }
    errors = [error.formatted for error in result.errors or []]
    return result.data, errors, result.extensions, moved


@pytest.mark.parametrize("introspection", [True, False], ids=["introspection on", "off"])
def test_the_gateway_answers_and_counts_the_same_composed_or_one_by_one(
    introspection: bool,
) -> None:
    settings = Settings(introspection=introspection, max_cost=50_000)
    composed = build_schema(gateway_extensions(settings), engine=ExecutionEngine())
    separate = build_schema(gateway_extension_list(settings), engine=ExecutionEngine())
    for name, query, variables, extensions in REQUESTS:
        expected = run_request(separate, query, variables, extensions)
        assert run_request(composed, query, variables, extensions) == expected, name


def test_strawberry_sees_one_extension_for_all_the_gateways_checks() -> None:
    """Strawberry's per-request work grows with the extensions it sees, not with our checks."""
    schema = build_schema(
        gateway_extensions(Settings(introspection=False)), engine=ExecutionEngine()
    )
    assert len(schema.get_extensions()) == 2  # the gateway's checks, the engine's plans
    assert len(gateway_extension_list(Settings(introspection=False))) == 9
