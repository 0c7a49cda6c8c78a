"""The private APIs the engine's adapter relies on are still there, as they were checked.

An upgrade of Strawberry, graphql-core or Python that moves any of them fails
here, naming what changed, before it can change an answer. Re-read the new
versions' source, adjust ``schema/execution/adapter.py`` and its pins together.
"""

from __future__ import annotations

import asyncio
import datetime
import inspect
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import strawberry
from graphql import GraphQLSchema
from strawberry.extensions import SchemaExtension

from schema.execution import adapter

ROOT = Path(__file__).resolve().parents[2]


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


@pytest.mark.parametrize("package", sorted(adapter.CHECKED_VERSIONS))
def test_installed_versions_are_the_ones_the_adapter_was_checked_against(package: str) -> None:
    checked = adapter.CHECKED_VERSIONS[package]
    assert version(package) == checked, (
        f"{package} {version(package)} is installed, the engine's adapter was checked against "
        f"{checked}: re-check schema/execution/adapter.py against the new source, then update "
        "CHECKED_VERSIONS and the pin in pyproject.toml"
    )


def test_pyproject_pins_exactly_the_checked_versions() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for package, checked in adapter.CHECKED_VERSIONS.items():
        assert f"{package}=={checked}" in dependencies, (
            f"pyproject.toml must pin {package}=={checked} (what the adapter was checked against)"
        )


def test_python_is_the_one_the_adapter_was_checked_against() -> None:
    assert sys.version_info[:2] == adapter.CHECKED_PYTHON, (
        f"Python {sys.version_info[:2]}: the adapter reads CPython {adapter.CHECKED_PYTHON}'s "
        "coroutine frames and asyncio futures; re-check eager.py's assumptions"
    )


@strawberry.type
class Query:
    @strawberry.field
    def seen(self, info: strawberry.Info, times: int = 1) -> str:
        SEEN.append(info._raw_info)
        return "x" * times


SEEN: list[Any] = []


async def test_strawberry_builds_the_resolve_info_the_adapter_builds() -> None:
    SEEN.clear()
    schema = strawberry.Schema(query=Query)
    await schema.execute("query($t: Int) { seen(times: $t) }", variable_values={"t": 2})
    [raw] = SEEN
    assert type(raw) is adapter.OperationResolveInfo, (
        f"Strawberry's executor now gives resolvers {type(raw)!r}, not the adapter's "
        "_OperationContextAwareGraphQLResolveInfo"
    )
    assert adapter.OperationResolveInfo._fields == adapter.RESOLVE_INFO_FIELDS, (
        "Strawberry's resolve info fields changed (make_resolve_info passes them by position): "
        f"{adapter.OperationResolveInfo._fields}"
    )
    assert isinstance(raw.variable_values, dict), "resolvers no longer get variables as a dict"
    built = adapter.make_resolve_info(
        raw.field_nodes,
        raw.return_type,
        raw.parent_type,
        raw.path,
        raw.schema,
        raw.fragments,
        raw.root_value,
        raw.operation,
        raw.variable_values,
        raw.context,
        raw.is_awaitable,
        raw.async_helpers,
        raw.operation_extensions,
    )
    assert built == raw, "make_resolve_info no longer builds what Strawberry's executor builds"


def test_strawberry_info_still_reads_what_the_lazy_info_provides() -> None:
    annotations = strawberry.Info.__annotations__
    missing = [name for name in adapter.INFO_ATTRIBUTES if name not in annotations]
    assert not missing, f"strawberry.Info no longer reads {missing} (LazyInfo provides them)"
    source = inspect.getsource(strawberry.Info)
    assert "self._raw_info.context" in source and "self._field.arguments" in source, (
        "strawberry.Info's properties no longer read _raw_info/_field"
    )


def test_the_schema_and_extension_internals_are_there() -> None:
    class Wraps(SchemaExtension):
        def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
            return _next(root, info, *args, **kwargs)

    plain = strawberry.Schema(query=Query)
    assert isinstance(adapter.graphql_schema(plain), GraphQLSchema), "Schema._schema is gone"
    assert not adapter.wraps_resolvers(plain)
    assert adapter.wraps_resolvers(strawberry.Schema(query=Query, extensions=[Wraps])), (
        "SchemaExtension._implements_resolve no longer tells a resolve hook"
    )
    assert hasattr(plain.schema_converter, "_exception_handler_specs"), (
        "the schema converter's _exception_handler_specs is gone: plans can't tell a schema "
        "with exception handlers"
    )
    date_time: Any = adapter.graphql_schema(strawberry.Schema(query=DatedQuery)).type_map[
        "DateTime"
    ]
    assert adapter.is_strawberry_isoformat(date_time.coerce_output_value), (
        "Strawberry's DateTime no longer serializes with base_scalars.isoformat"
    )


@strawberry.type
class DatedQuery:
    at: datetime.datetime


def test_graphql_core_signatures_the_engine_calls() -> None:
    assert parameters(adapter.get_variable_values)[:4] == [
        "schema",
        "var_def_nodes",
        "inputs",
        "max_errors",
    ], "graphql-core's get_variable_values changed its parameters"
    assert parameters(adapter.get_argument_values)[:3] == ["type_def", "node", "variable_values"]
    assert adapter.VariableValues._fields[:2] == ("sources", "coerced")
    assert adapter.GraphQLResolveInfoHelpers._fields == ("gather", "track")
    assert issubclass(adapter.StrawberryGraphQLCoreExecutionContext, adapter.Executor)
    complete = ["return_type", "field_details_list", "info", "path", "result", "position_context"]
    for method in ("complete_object_value", "complete_list_value"):
        assert parameters(getattr(adapter.Executor, method))[1:] == complete, (
            f"graphql-core's Executor.{method} changed (the plain-data executor overrides it)"
        )
    assert parameters(adapter.Executor.collect_subfields)[1:] == [
        "return_type",
        "field_details_list",
    ]


def test_strawberry_conversions_the_engine_calls() -> None:
    assert parameters(adapter.convert_python_arguments) == [
        "value",
        "arguments",
        "scalar_registry",
        "config",
        "info",
    ]
    assert parameters(adapter.convert_selections) == ["info", "field_nodes"]
    assert parameters(adapter.convert_arguments) == ["info", "nodes"]
    assert parameters(adapter.convert_directives) == ["info", "nodes"]
    field = strawberry.Schema(query=Query).get_type_by_name("Query").fields[0]  # type: ignore[union-attr]
    assert isinstance(field, adapter.StrawberryField)
    resolver = field.base_resolver
    assert resolver is not None
    for name in ("wrapped_func", "self_parameter", "info_parameter", "parent_parameter"):
        assert hasattr(resolver, name), f"StrawberryResolver.{name} is gone"
    assert hasattr(field, "is_basic_field") and hasattr(field, "python_name")
    registry = adapter.scalar_registry(strawberry.Schema(query=Query))
    assert int in registry, "the schema converter's scalar_registry no longer maps Python types"


async def test_asyncio_futures_still_carry_the_awaited_mark() -> None:
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    async def awaiter() -> int:
        value: int = await future
        return value + 1

    coroutine = awaiter()
    yielded = coroutine.send(None)
    assert yielded is future and future._asyncio_future_blocking, (
        "awaiting an asyncio future no longer sets _asyncio_future_blocking (eager.py's mark)"
    )
    adapter.release_future(yielded)
    assert adapter.future_released(yielded)
    adapter.reclaim_future(yielded)
    coroutine.close()


def test_a_coroutine_never_started_shows_its_arguments() -> None:
    async def waits_for(first: Any, second: Any) -> None:
        await first

    marker, other = object(), object()
    coroutine = waits_for(marker, other)
    assert list(adapter.coroutine_arguments(coroutine)) == [marker, other], (
        "a created coroutine's cr_frame.f_locals no longer holds its arguments"
    )
    coroutine.close()
    assert list(adapter.coroutine_arguments(coroutine)) == []


def test_a_generator_never_started_shows_its_arguments() -> None:
    def waits_for(first: Any, second: Any) -> Any:
        yield first

    marker, other = object(), object()
    generator = waits_for(marker, other)
    assert list(adapter.generator_arguments(generator)) == [marker, other], (
        "a created generator's gi_frame.f_locals no longer holds its arguments"
    )
    generator.close()
    assert list(adapter.generator_arguments(generator)) == []


async def test_a_result_set_in_on_execute_skips_graphql_core() -> None:
    """The seam plans use: Strawberry's _execute_operation keeps a result an extension set."""
    from graphql import ExecutionResult

    SEEN.clear()

    class Answers(SchemaExtension):
        def on_execute(self) -> Any:
            self.execution_context.result = ExecutionResult({"seen": "from the extension"}, None)
            yield

    schema = strawberry.Schema(query=Query, extensions=[Answers])
    result = await schema.execute("{ seen }")
    assert result.data == {"seen": "from the extension"}
    assert SEEN == [], "Strawberry ran graphql-core although on_execute had set the result"
