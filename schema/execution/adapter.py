"""Every private or unstable API the execution engine relies on, and nothing else.

Checked against strawberry-graphql 0.341.2, graphql-core 3.3.2 and CPython 3.11,
the exact versions pinned in pyproject.toml. ``tests/schema/test_engine_adapter.py``
fails, saying what changed, when an upgrade moves any of it; the rest of the
engine imports these names only from here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Generator, Iterable
from typing import Any

import strawberry
from graphql import FieldNode, FragmentDefinitionNode, GraphQLObjectType, GraphQLSchema

# graphql-core 3.3 only (3.2 has neither): coerced variables with their sources,
# the resolve-info helpers (gather/track) and the executor class that replaced
# ExecutionContext. Checked: graphql-core 3.3.2.
from graphql.execution.executor import Executor
from graphql.execution.get_variable_signature import GraphQLVariableSignature as VariableSignature
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import (
    VariableValues,
    VariableValueSource,
    get_argument_values,
    get_variable_values,
)
from graphql.type.definition import GraphQLResolveInfoHelpers

# Strawberry's executor subclass (adds the operation's extensions to resolve info)
# and the resolve-info named tuple it builds. Checked: strawberry-graphql 0.341.2.
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema import (
    _OperationContextAwareGraphQLResolveInfo as OperationResolveInfo,
)

# Strawberry's serializer of Date, DateTime and Time (compared by identity so
# those leaves skip the generic coercion). Checked: strawberry-graphql 0.341.2.
from strawberry.schema.types.base_scalars import isoformat as strawberry_isoformat

# Strawberry's argument conversion and ``info.selected_fields`` conversion, called
# exactly as its resolver wrapper calls them. Checked: strawberry-graphql 0.341.2.
from strawberry.types.arguments import convert_arguments as convert_python_arguments
from strawberry.types.field import StrawberryField
from strawberry.types.nodes import (
    SelectedField,
    convert_arguments,
    convert_directives,
    convert_selections,
)

__all__ = [
    "CHECKED_PYTHON",
    "CHECKED_VERSIONS",
    "DEFINITION",
    "INFO_ATTRIBUTES",
    "RESOLVE_INFO_FIELDS",
    "Executor",
    "GraphQLResolveInfoHelpers",
    "OperationResolveInfo",
    "SelectedField",
    "StrawberryField",
    "StrawberryGraphQLCoreExecutionContext",
    "VariableSignature",
    "VariableValueSource",
    "VariableValues",
    "convert_arguments",
    "convert_directives",
    "convert_python_arguments",
    "convert_selections",
    "coroutine_arguments",
    "future_released",
    "get_argument_values",
    "get_variable_signature",
    "get_variable_values",
    "graphql_schema",
    "has_exception_handlers",
    "is_strawberry_isoformat",
    "make_resolve_info",
    "reclaim_future",
    "release_future",
    "scalar_registry",
    "wraps_resolvers",
]

CHECKED_VERSIONS = {"strawberry-graphql": "0.341.2", "graphql-core": "3.3.2"}
"""The versions every name below was read against (pyproject.toml pins exactly these)."""
CHECKED_PYTHON = (3, 11)

DEFINITION = "strawberry-definition"
"""The key under which Strawberry keeps a GraphQL field's ``StrawberryField`` in its extensions."""

RESOLVE_INFO_FIELDS = (
    "field_name",
    "field_nodes",
    "return_type",
    "parent_type",
    "path",
    "schema",
    "fragments",
    "root_value",
    "operation",
    "variable_values",
    "context",
    "is_awaitable",
    "abort_signal",
    "async_helpers",
    "operation_extensions",
)
"""The positional fields of Strawberry's resolve info, in the order ``make_resolve_info`` passes."""

INFO_ATTRIBUTES = ("_raw_info", "_field")
"""What ``strawberry.Info``'s properties read; the engine's lazy info provides exactly these."""


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """graphql-core's schema behind a Strawberry schema (Strawberry has no public accessor).

    ``Schema._schema``, checked: strawberry-graphql 0.341.2. Request-time code uses
    the executor's own ``self.schema`` instead; this is for compiling only.
    """
    built: GraphQLSchema = schema._schema
    return built


def scalar_registry(schema: strawberry.Schema) -> Any:
    """The scalar registry Strawberry's resolver wrapper converts arguments with.

    ``schema_converter.scalar_registry``, checked: strawberry-graphql 0.341.2.
    """
    return schema.schema_converter.scalar_registry


def wraps_resolvers(schema: strawberry.Schema) -> bool:
    """Whether a schema extension implements ``resolve`` (Strawberry's own test, private).

    ``SchemaExtension._implements_resolve()``, checked: strawberry-graphql 0.341.2.
    """
    return any(extension._implements_resolve() for extension in schema.get_extensions())


def has_exception_handlers(schema: strawberry.Schema) -> bool:
    """Whether the schema converter has exception handlers that change how errors are reported.

    ``schema_converter._exception_handler_specs``, checked: strawberry-graphql 0.341.2.
    """
    return bool(getattr(schema.schema_converter, "_exception_handler_specs", None))


def is_strawberry_isoformat(coerce: Callable[[Any], Any]) -> bool:
    """Whether a leaf serializes with Strawberry's ``base_scalars.isoformat`` (0.341.2)."""
    return coerce is strawberry_isoformat


def make_resolve_info(
    field_nodes: list[FieldNode],
    return_type: Any,
    parent_type: GraphQLObjectType,
    path: Any,
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    root_value: Any,
    operation: Any,
    variable_values: dict[str, Any],
    context: Any,
    is_awaitable: Callable[[Any], bool],
    async_helpers: GraphQLResolveInfoHelpers,
    operation_extensions: dict[str, Any] | None,
) -> Any:
    """The resolve info Strawberry's executor builds (its 15 positional fields, see above).

    ``_OperationContextAwareGraphQLResolveInfo``, checked: strawberry-graphql 0.341.2
    with graphql-core 3.3.2 (``abort_signal`` and ``async_helpers`` are 3.3's).
    """
    resolve_info_type: Any = OperationResolveInfo
    return resolve_info_type(
        field_nodes[0].name.value,
        field_nodes,
        return_type,
        parent_type,
        path,
        schema,
        fragments,
        root_value,
        operation,
        variable_values,
        context,
        is_awaitable,
        None,  # abort_signal: graphql-core 3.3's, none for a plan
        async_helpers,
        operation_extensions,
    )


# asyncio's "being awaited" mark on a future (CPython 3.11's asyncio.Future and
# its C twin): a task refuses a future whose mark is off, so a coroutine run
# eagerly takes it off as a task would and puts it back when a task takes over.
_BLOCKING = "_asyncio_future_blocking"


def future_released(yielded: Any) -> bool:
    """Whether ``yielded`` is an asyncio future whose mark was taken off by ``release_future``."""
    return getattr(yielded, _BLOCKING, None) is False


def release_future(yielded: Any) -> None:
    """Take the "being awaited" mark off a future a coroutine yielded, as a task would."""
    if getattr(yielded, _BLOCKING, None):
        setattr(yielded, _BLOCKING, False)


def reclaim_future(yielded: Any) -> None:
    """Put the mark back before the future goes to the task that runs its awaiter."""
    setattr(yielded, _BLOCKING, True)


def generator_arguments(generator: Generator[Any, Any, Any]) -> Iterable[Any]:
    """The arguments of a generator never started (its frame's locals; CPython only).

    Checked against CPython 3.11 (``gi_frame.f_locals`` of a created generator).
    """
    frame = getattr(generator, "gi_frame", None)
    if frame is None or inspect.getgeneratorstate(generator) != inspect.GEN_CREATED:
        return ()
    return list(frame.f_locals.values())


def coroutine_arguments(coroutine: Coroutine[Any, Any, Any]) -> Iterable[Any]:
    """The arguments of a coroutine never started (its frame's locals; CPython only).

    Checked against CPython 3.11 (``cr_frame.f_locals`` of a created coroutine).
    """
    frame = getattr(coroutine, "cr_frame", None)
    if frame is None or inspect.getcoroutinestate(coroutine) != inspect.CORO_CREATED:
        return ()
    return list(frame.f_locals.values())
