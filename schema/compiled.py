"""Operations compiled once into direct calls: the fast path for saved and repeated queries.

graphql-core executes every operation generically: for each field it collects
the selection, builds resolve info, goes through Strawberry's resolver wrapper
(argument conversion, ``Info``), completes the value by its type, and gives
every awaitable field a task of its own. For an operation the gateway has seen
before (each saved query, each repeated ad-hoc text) all of that is known in
advance. ``compile_operation`` works it out once; ``CompiledOperation.execute``
then only calls the resolvers and builds the response.

The answer is graphql-core's: the same data, the same errors (message,
locations, path), null propagation through non-null fields to the nearest
nullable position. Resolvers get a real ``strawberry.Info``. Async resolvers
run eagerly up to their first real wait, so a value that is already there
(prefetched, cached) costs no task.

What is not compiled raises ``NotCompilable`` and runs generically:
introspection, interfaces and unions, ``@defer``/``@stream`` and other
directives, ``@skip``/``@include`` driven by variables, fields with field
extensions or permissions, mutations and subscriptions. Schema extensions that
wrap resolvers (``resolve`` hooks) must see every field, so a schema with one is
not compiled at all. Tests run the same queries both ways and compare.
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import inspect
import math
import types
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    located_error,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.language import Node, Visitor, visit
from graphql.pyutils import Path as GraphQLPath
from graphql.pyutils import Undefined, is_awaitable
from graphql.pyutils import inspect as graphql_inspect
from graphql.type.definition import GraphQLResolveInfoHelpers, is_leaf_type
from strawberry.schema.schema import (
    _OperationContextAwareGraphQLResolveInfo as OperationResolveInfo,
)
from strawberry.schema.types.base_scalars import isoformat as strawberry_isoformat
from strawberry.types.arguments import convert_arguments as convert_python_arguments
from strawberry.types.field import StrawberryField
from strawberry.types.nodes import (
    SelectedField,
    convert_arguments,
    convert_directives,
    convert_selections,
)

DEFINITION = "strawberry-definition"
MAX_VARIABLE_ERRORS = 50


class NotCompilable(Exception):
    """The operation uses something only the generic executor runs; says what."""


# A response path as a linked list of (parent, key) pairs, built as cheaply as a tuple.
ResponsePath = tuple[Any, str | int] | None


def _path_list(path: ResponsePath) -> list[str | int]:
    keys: list[str | int] = []
    while path is not None:
        path, key = path
        keys.append(key)
    keys.reverse()
    return keys


def _graphql_path(path: ResponsePath) -> GraphQLPath | None:
    built: GraphQLPath | None = None
    for key in _path_list(path):
        built = GraphQLPath(built, key, None)
    return built


class _Run:
    """One execution: the request's context and variables, the errors so far, the waits."""

    __slots__ = (
        "context",
        "errors",
        "extensions",
        "nulled",
        "pending",
        "root_value",
        "variables",
    )

    def __init__(
        self,
        context: Any,
        root_value: Any,
        variables: VariableValues,
        extensions: dict[str, Any] | None,
    ) -> None:
        self.context = context
        self.root_value = root_value
        self.variables = variables
        self.extensions = extensions
        self.errors: list[GraphQLError] = []
        self.nulled: set[tuple[str | int, ...]] = set()
        self.pending: list[Awaitable[None]] = []

    def add_error(self, error: GraphQLError, path: ResponsePath) -> None:
        """Record a field error, unless an ancestor was already nulled (graphql-core's rule)."""
        keys = tuple(_path_list(path))
        if any(keys[:depth] in self.nulled for depth in range(len(keys) + 1)):
            return
        self.nulled.add(keys)
        self.errors.append(error)


Complete = Callable[[_Run, Any, ResponsePath], Any]
"""Completes one value of a type at a path; may return an awaitable if part of it must wait."""


class _Waiting:
    """A completed value that is not complete yet: a non-null part of it still waits."""

    __slots__ = ("awaitable",)

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.awaitable = awaitable


@types.coroutine
def _resume(coroutine: Any, yielded: Any) -> Any:
    """Continue a coroutine that was run eagerly up to its first wait (``yielded``).

    An asyncio future refuses a second awaiter while the first has not handed it
    to a task (its "being awaited" mark); ``_eager`` takes the mark off as a task
    would, so that other fields may await the same future (a dataloader's futures
    are shared). Here it is put back before the future goes to the task running
    this, or, if the future is already done, the coroutine simply goes on.
    """
    if getattr(yielded, "_asyncio_future_blocking", None) is False:
        if yielded.done():
            try:
                yielded = coroutine.send(None)
            except StopIteration as stop:
                return stop.value
        else:
            yielded._asyncio_future_blocking = True
    while True:
        try:
            sent = yield yielded
        except GeneratorExit:
            coroutine.close()
            raise
        except BaseException as exc:
            try:
                yielded = coroutine.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                yielded = coroutine.send(sent)
            except StopIteration as stop:
                return stop.value


def _eager(value: Any) -> Any:
    """A resolver's coroutine run now: its value if it needs no wait, else a ``_Waiting``.

    Exceptions the coroutine raises before its first wait propagate as the resolver's.
    """
    if type(value) is types.CoroutineType:
        try:
            yielded = value.send(None)
        except StopIteration as stop:
            return stop.value
        if getattr(yielded, "_asyncio_future_blocking", None):
            yielded._asyncio_future_blocking = False  # taken, as a task takes it (see _resume)
        return _Waiting(_resume(value, yielded))
    if hasattr(value, "__await__"):
        return _Waiting(value)
    return value


async def _wait_all(awaitables: list[Awaitable[Any]]) -> None:
    if len(awaitables) == 1:
        await awaitables[0]
    elif awaitables:
        await asyncio.gather(*awaitables)


def _closed(awaitables: Iterable[Any]) -> None:
    """Close what will never run (its subtree was nulled), and what it would have awaited."""
    for awaitable in awaitables:
        if type(awaitable) is tuple or type(awaitable) is list:
            _closed(awaitable)
            continue
        if type(awaitable) is _Waiting:
            awaitable = awaitable.awaitable
        if type(awaitable) is types.CoroutineType:
            frame = awaitable.cr_frame
            if frame is not None and inspect.getcoroutinestate(awaitable) == inspect.CORO_CREATED:
                _closed(frame.f_locals.values())  # its arguments: the waits it was given
            awaitable.close()


def _abandon(run: _Run, waiting: list[tuple[Any, Awaitable[Any]]], mark: int) -> None:
    """A list or object nulled by a non-null part: nothing it started may run."""
    _closed(w for _, w in waiting)
    _closed(run.pending[mark:])
    del run.pending[mark:]


# --- leaves -----------------------------------------------------------------------------

_INT_RANGE = range(-(2**31), 2**31)
_NATIVE: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}
_ISO_TYPES = (datetime.datetime, datetime.date, datetime.time)


def leaf_value(leaf_type: Any) -> Callable[[Any], Any]:
    """graphql-core's leaf coercion; values that are already what JSON needs pass as they are."""
    coerce = leaf_type.coerce_output_value

    def coerced(value: Any) -> Any:
        result = coerce(value)
        if result is Undefined or result is None:
            raise TypeError(
                f"Expected `{graphql_inspect(leaf_type)}.coerce_output_value("
                f"{graphql_inspect(value)})` to return non-nullable value, returned:"
                f" {graphql_inspect(result)}"
            )
        return result

    name = leaf_type.name
    if name == "Float":
        return lambda v: v if v is None or (type(v) is float and math.isfinite(v)) else coerced(v)
    if name == "Int":
        return lambda v: v if v is None or (type(v) is int and v in _INT_RANGE) else coerced(v)
    native = _NATIVE.get(name)
    if native is not None:
        return lambda v: v if v is None or type(v) is native else coerced(v)
    if coerce is strawberry_isoformat:  # Strawberry's Date, DateTime, Time
        return lambda v: (
            None if v is None else v.isoformat() if type(v) in _ISO_TYPES else coerced(v)
        )
    return lambda v: None if v is None else coerced(v)


def _leaf(leaf_type: Any) -> Complete:
    value = leaf_value(leaf_type)
    return lambda _run, v, _path: value(v)


class _Unusual(Exception):
    """Plain data held something the careful completion must look at (a null, a wait)."""


Fast = Callable[[Any], Any]
"""Completes plain data in one go: no resolver, no wait, no path; anything unusual raises."""


def constant(value: Any) -> Fast:
    return lambda _ignored: value


def _fast_non_null(inner: Fast) -> Fast:
    def non_null(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise _Unusual
        return completed

    return non_null


def _fast_list(item: Fast) -> Fast:
    def fast_list(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is not list and type(value) is not tuple:
            if isinstance(value, str | bytes) or not isinstance(value, Sequence):
                raise _Unusual
        return [item(entry) for entry in value]

    return fast_list


@dataclass(slots=True, frozen=True)
class _FastStep:
    """One selected field of a plain object: where its value is and how it completes."""

    key: str
    attribute: str
    complete: Fast
    """Completes the nullable value (leaves: graphql-core's coercion)."""
    non_null: bool
    ready: str | None
    """A test (on ``{v}``) that a value is already what JSON needs, or None: always complete."""


_READY: dict[str, str] = {
    "String": "type({v}) is str",
    "ID": "type({v}) is str",
    "Boolean": "type({v}) is bool",
    "Float": "type({v}) is float and isfinite({v})",
    "Int": "type({v}) is int and -2147483648 <= {v} <= 2147483647",
}


def _fast_object(steps: list[_FastStep]) -> Fast:
    """Straight-line code completing one plain object: a read and a type test per field.

    Only attribute names (Python identifiers of the schema's types) enter the
    source text; response keys, which clients choose, are passed as values.
    """
    env: dict[str, Any] = {"Unusual": _Unusual, "isfinite": math.isfinite}
    body = ["def fast_object(value):", "    if value is None:", "        return None"]
    for index, step in enumerate(steps):
        if not step.attribute.isidentifier():
            raise NotCompilable(f"attribute {step.attribute!r}")
        v = f"v{index}"
        env[f"c{index}"] = step.complete
        env[f"k{index}"] = step.key
        body.append(f"    {v} = value.{step.attribute}")
        if step.non_null:
            body += [f"    if {v} is None:", "        raise Unusual"]
        if step.ready is None:
            body.append(f"    {v} = c{index}({v})")
        else:
            test = step.ready.format(v=v)
            body += [f"    if {v} is not None and not ({test}):", f"        {v} = c{index}({v})"]
        if step.non_null:
            body += [f"    if {v} is None:", "        raise Unusual"]
    pairs = ", ".join(f"k{index}: v{index}" for index in range(len(steps)))
    body.append(f"    return {{{pairs}}}")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(body), "<compiled plain object>", "exec"), env, namespace)
    fast_object: Fast = namespace["fast_object"]
    return fast_object


def _careful_unless_fast(fast: Fast, careful: Complete) -> Complete:
    """Plain data the fast way; the careful way (errors located, waits awaited) if it objects."""

    def complete(run: _Run, value: Any, path: ResponsePath) -> Any:
        try:
            return fast(value)
        except Exception:
            return careful(run, value, path)

    return complete


# --- the compiler -------------------------------------------------------------------------


@dataclass(slots=True)
class _Field:
    """One response key of one selection: how to get its value and complete it."""

    key: str
    nodes: list[FieldNode]
    nullable: bool
    execute: Callable[[_Run, Any, ResponsePath], Any]


class _Compiler:
    def __init__(
        self,
        schema: strawberry.Schema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
    ) -> None:
        self.strawberry_schema = schema
        self.schema: GraphQLSchema = schema._schema
        self.document = document
        self.operation = operation
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        no_variables = get_variable_values(self.schema, (), {})
        assert isinstance(no_variables, VariableValues)
        self.no_variables = no_variables

    # Selections --------------------------------------------------------------------------

    def collect(
        self, object_type: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key, fragments inlined, constant @skip/@include applied."""
        grouped: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect_into(object_type, selection_set, grouped, set())
        return grouped

    def _collect_into(
        self,
        object_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, object_type):
                    self._collect_into(object_type, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition.name.value, object_type):
                    self._collect_into(object_type, fragment.selection_set, grouped, visited)

    def _applies(self, type_name: str, object_type: GraphQLObjectType) -> bool:
        if type_name == object_type.name:
            return True
        if not isinstance(self.schema.get_type(type_name), GraphQLObjectType):
            raise NotCompilable(f"fragment on the abstract type {type_name}")
        return False

    @staticmethod
    def _included(selection: Any) -> bool:
        included = True
        for directive in selection.directives or ():
            name = directive.name.value
            if name not in {"skip", "include"}:
                raise NotCompilable(f"the @{name} directive")
            (argument,) = directive.arguments
            if isinstance(argument.value, VariableNode):
                raise NotCompilable(f"@{name} on a variable")
            value = argument.value.value
            if (name == "skip") == value:
                included = False
        return included

    # Types -------------------------------------------------------------------------------

    def completer(
        self, return_type: GraphQLOutputType, nodes: list[FieldNode], label: str
    ) -> Complete:
        """How to complete a value of ``return_type`` for the field ``label`` (Type.field)."""
        if not is_leaf_type(_named(return_type)):
            fast = self.fast_completer(return_type, nodes)
            if fast is not None:
                return _careful_unless_fast(fast, self._careful(return_type, nodes, label))
        return self._careful(return_type, nodes, label)

    def _careful(
        self, return_type: GraphQLOutputType, nodes: list[FieldNode], label: str
    ) -> Complete:
        if isinstance(return_type, GraphQLNonNull):
            return self._non_null(self.completer(return_type.of_type, nodes, label), label)
        if is_leaf_type(return_type):
            return _leaf(return_type)
        if isinstance(return_type, GraphQLList):
            return self._list(return_type, nodes, label)
        if isinstance(return_type, GraphQLObjectType):
            return self.object_completer(
                return_type, [n.selection_set for n in nodes if n.selection_set]
            )
        raise NotCompilable(f"{label} returns the abstract type {return_type}")

    def fast_completer(self, return_type: GraphQLOutputType, nodes: list[FieldNode]) -> Fast | None:
        """The fast completion of ``return_type`` if all it selects is plain data, else None."""
        if isinstance(return_type, GraphQLNonNull):
            inner = self.fast_completer(return_type.of_type, nodes)
            return _fast_non_null(inner) if inner is not None else None
        if is_leaf_type(return_type):
            return leaf_value(return_type)
        if isinstance(return_type, GraphQLList):
            item = self.fast_completer(return_type.of_type, nodes)
            return _fast_list(item) if item is not None else None
        if not isinstance(return_type, GraphQLObjectType):
            return None
        grouped = self.collect(return_type, [n.selection_set for n in nodes if n.selection_set])
        steps: list[_FastStep] = []
        for key, found in grouped.items():
            name = found[0].name.value
            if name == "__typename":
                steps.append(_FastStep(key, "__class__", constant(return_type.name), False, None))
                continue
            field_def = return_type.fields.get(name)
            definition = (field_def.extensions or {}).get(DEFINITION) if field_def else None
            if (
                field_def is None
                or not isinstance(definition, StrawberryField)
                or not definition.is_basic_field
                or self.strawberry_schema.config.default_resolver is not getattr
            ):
                return None
            field_type = field_def.type
            non_null = isinstance(field_type, GraphQLNonNull)
            inner = field_type.of_type if non_null else field_type
            child = self.fast_completer(inner, found)
            if child is None:
                return None
            ready = _READY.get(inner.name) if is_leaf_type(inner) else None
            steps.append(_FastStep(key, definition.python_name, child, non_null, ready))
        return _fast_object(steps)

    @staticmethod
    def _non_null(inner: Complete, label: str) -> Complete:
        message = f"Cannot return null for non-nullable field {label}."

        def non_null(run: _Run, value: Any, path: ResponsePath) -> Any:
            completed = inner(run, value, path)
            if completed is None:
                raise TypeError(message)
            return completed

        return non_null

    def _list(self, list_type: GraphQLList[Any], nodes: list[FieldNode], label: str) -> Complete:
        item_type = list_type.of_type
        item_nullable = not isinstance(item_type, GraphQLNonNull)
        item = self.completer(item_type, nodes, label)
        not_iterable = f"Expected Iterable, but did not find one for field '{label}'."

        def complete_list(run: _Run, value: Any, path: ResponsePath) -> Any:
            if value is None:
                return None
            if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
                raise GraphQLError(not_iterable)
            completed: list[Any] = []
            waiting: list[tuple[int, Awaitable[Any]]] = []
            mark = len(run.pending)
            for index, entry in enumerate(value):
                item_path = (path, index)
                try:
                    done = item(run, entry, item_path)
                except Exception as raw:
                    error = located_error(raw, nodes, _path_list(item_path))
                    if not item_nullable:
                        _abandon(run, waiting, mark)
                        raise error from None
                    run.add_error(error, item_path)
                    done = None
                if type(done) is _Waiting:
                    waiting.append(
                        (index, self._settled(run, done, nodes, item_path, item_nullable))
                    )
                    done = None
                completed.append(done)
            if not waiting:
                return completed
            return _Waiting(_fill(completed, waiting))

        return complete_list

    @staticmethod
    async def _settled(
        run: _Run, waiting: _Waiting, nodes: list[FieldNode], path: ResponsePath, nullable: bool
    ) -> Any:
        """A waiting value's end: its value, or (nullable) None with the error recorded."""
        try:
            return await waiting.awaitable
        except Exception as raw:
            error = located_error(raw, nodes, _path_list(path))
            if not nullable:
                raise error from None
            run.add_error(error, path)
            return None

    def object_completer(
        self,
        object_type: GraphQLObjectType,
        selection_sets: list[SelectionSetNode],
        *,
        root: bool = False,
    ) -> Complete:
        grouped = self.collect(object_type, selection_sets)
        fields = tuple(self.field(object_type, key, found) for key, found in grouped.items())

        def complete_object(run: _Run, source: Any, path: ResponsePath) -> Any:
            if source is None and not root:
                return None
            result: dict[str, Any] = {}
            waiting: list[tuple[str, Awaitable[Any]]] = []
            mark = len(run.pending)
            for field in fields:
                try:
                    value = field.execute(run, source, path)
                except Exception as raw:
                    field_path = (path, field.key)
                    error = located_error(raw, field.nodes, _path_list(field_path))
                    if not field.nullable:
                        _abandon(run, waiting, mark)
                        raise error from None
                    run.add_error(error, field_path)
                    value = None
                if type(value) is _Waiting:
                    field_path = (path, field.key)
                    settled = self._settled(run, value, field.nodes, field_path, field.nullable)
                    if field.nullable:
                        run.pending.append(_store(result, field.key, settled))
                    else:
                        waiting.append((field.key, settled))
                    value = None
                result[field.key] = value
            if not waiting:
                return result
            return _Waiting(_fill(result, waiting))

        return complete_object

    # Fields ------------------------------------------------------------------------------

    def field(self, parent_type: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> _Field:
        name = nodes[0].name.value
        if name == "__typename":
            typename = parent_type.name
            return _Field(key, nodes, False, lambda _r, _s, _p: typename)
        if name.startswith("__"):
            raise NotCompilable(f"the introspection field {name}")
        field_def = parent_type.fields[name]
        definition = (field_def.extensions or {}).get(DEFINITION)
        if not isinstance(definition, StrawberryField):
            raise NotCompilable(f"{parent_type.name}.{name} is not a Strawberry field")
        if definition.extensions or getattr(definition, "permission_classes", None):
            raise NotCompilable(f"{parent_type.name}.{name} has field extensions or permissions")
        label = f"{parent_type.name}.{name}"
        return_type = field_def.type
        complete = self.completer(return_type, nodes, label)
        nullable = not isinstance(return_type, GraphQLNonNull)
        child = key
        if definition.is_basic_field:
            attribute = definition.python_name
            default = self.strawberry_schema.config.default_resolver
            if default is getattr and is_leaf_type(_named(return_type)):

                def execute(run: _Run, source: Any, path: ResponsePath) -> Any:
                    return complete(run, getattr(source, attribute), None)

            else:

                def execute(run: _Run, source: Any, path: ResponsePath) -> Any:
                    value = _eager(default(source, attribute))
                    return _then(run, value, complete, (path, child))

            return _Field(key, nodes, nullable, execute)
        call = self._resolver_call(definition, field_def, parent_type, nodes)

        def execute_resolver(run: _Run, source: Any, path: ResponsePath) -> Any:
            field_path = (path, child)
            return _then(run, _eager(call(run, source, field_path)), complete, field_path)

        return _Field(key, nodes, nullable, execute_resolver)

    def _resolver_call(
        self,
        definition: StrawberryField,
        field_def: Any,
        parent_type: GraphQLObjectType,
        nodes: list[FieldNode],
    ) -> Callable[[_Run, Any, ResponsePath], Any]:
        """A call of the field's resolver exactly as Strawberry makes it."""
        resolver = definition.base_resolver
        assert resolver is not None
        schema = self.strawberry_schema
        node = nodes[0]
        frame = _InfoFrame(self, definition, field_def, parent_type, nodes)
        function = cast(Callable[..., Any], resolver.wrapped_func)
        pass_self = resolver.self_parameter is not None
        info_name = resolver.info_parameter.name if resolver.info_parameter else None
        sources = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p]
        if not definition.arguments and not sources:
            if pass_self and info_name is not None:
                return lambda run, source, path: function(
                    source, **{info_name: _Info(frame, run, path)}
                )
            if pass_self:
                return lambda run, source, path: function(source)
            if info_name is not None:
                return lambda run, source, path: function(**{info_name: _Info(frame, run, path)})
            return lambda run, source, path: function()

        def converted(variables: VariableValues | None, info: Any) -> dict[str, Any]:
            """The arguments as the resolver takes them (Strawberry's conversion)."""
            return convert_python_arguments(
                get_argument_values(field_def, node, variables),
                definition.arguments,
                scalar_registry=schema.schema_converter.scalar_registry,
                config=schema.config,
                info=info,
            )

        static: dict[str, Any] | None = None
        if not any(_has_variables(argument) for argument in node.arguments or ()):
            constant = converted(None, None)
            if all(isinstance(v, _IMMUTABLE) for v in constant.values()):
                static = constant  # shared by every call: nothing in it can be changed

        def call(run: _Run, source: Any, path: ResponsePath) -> Any:
            info = _Info(frame, run, path)
            kwargs = dict(static) if static is not None else converted(run.variables, info)
            if info_name is not None:
                kwargs[info_name] = info
            for name in sources:
                kwargs[name] = source
            return function(source, **kwargs) if pass_self else function(**kwargs)

        return call


_IMMUTABLE = (str, int, float, bool, type(None), enum.Enum)


def _named(graphql_type: Any) -> Any:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def _has_variables(node: Node) -> bool:
    """Whether anything under ``node`` (arguments, nested fields) reads a variable."""
    found = False

    class Finder(Visitor):
        def enter_variable(self, *_: Any) -> Any:
            nonlocal found
            found = True
            return Visitor.BREAK

    visit(node, Finder())
    return found


def _then(run: _Run, value: Any, complete: Complete, path: ResponsePath) -> Any:
    """Complete a resolved value now, or once it is there."""
    if type(value) is _Waiting:
        return _Waiting(_complete_later(run, value.awaitable, complete, path))
    return complete(run, value, path)


async def _complete_later(
    run: _Run, awaitable: Awaitable[Any], complete: Complete, path: ResponsePath
) -> Any:
    """Wait for a resolver's value, complete it, and see through what that completion started.

    Nullable fields below that must wait were started by the completion; they are
    awaited here, with whatever non-null part still waits, so that one slow
    field delays only its own subtree.
    """
    value = await awaitable
    mark = len(run.pending)
    completed = complete(run, value, path)
    started = run.pending[mark:]
    del run.pending[mark:]
    if type(completed) is _Waiting:
        done, *_ = await asyncio.gather(completed.awaitable, *started)
        return done
    await _wait_all(started)
    return completed


async def _fill(container: Any, waiting: list[tuple[Any, Awaitable[Any]]]) -> Any:
    """``container`` once its waiting non-null parts are in; the first failure propagates."""
    if len(waiting) == 1:
        ((key, awaitable),) = waiting
        container[key] = await awaitable
        return container
    values = await asyncio.gather(*(awaitable for _, awaitable in waiting))
    for (key, _), value in zip(waiting, values, strict=True):
        container[key] = value
    return container


async def _store(container: dict[str, Any], key: str, awaitable: Awaitable[Any]) -> None:
    container[key] = await awaitable


# --- what resolvers see ---------------------------------------------------------------------


class _InfoFrame:
    """What every call of one field's resolver shares, its selection converted once.

    ``info.selected_fields`` is Strawberry's conversion of the field's nodes;
    what reads no variable is converted here once and shared by every call
    (resolvers read selections, they don't change them).
    """

    __slots__ = (
        "children",
        "compiler",
        "definition",
        "field_def",
        "nodes",
        "parent_type",
        "selection",
    )

    def __init__(
        self,
        compiler: _Compiler,
        definition: StrawberryField,
        field_def: Any,
        parent_type: GraphQLObjectType,
        nodes: list[FieldNode],
    ) -> None:
        self.compiler = compiler
        self.definition = definition
        self.field_def = field_def
        self.parent_type = parent_type
        self.nodes = nodes
        info = _resolve_info(compiler, field_def, parent_type, nodes, None, None)
        self.selection: list[Any] | None = None
        self.children: list[list[Any]] | None = None
        if not any(_has_variables(node) for node in nodes):
            self.selection = convert_selections(info, nodes)
        elif not any(node.selection_set and _has_variables(node.selection_set) for node in nodes):
            self.children = [
                convert_selections(
                    info, cast(Any, node.selection_set.selections if node.selection_set else [])
                )
                for node in nodes
            ]

    def selected_fields(self, info: _Info) -> list[Any]:
        if self.selection is not None:
            return self.selection
        raw = info._raw_info
        if self.children is None:
            return convert_selections(raw, self.nodes)
        return [
            SelectedField(
                name=node.name.value,
                directives=convert_directives(raw, node.directives),
                arguments=convert_arguments(raw, node.arguments),
                selections=children,
                alias=node.alias.value if node.alias else None,
            )
            for node, children in zip(self.nodes, self.children, strict=True)
        ]


_RESOLVE_INFO: Any = OperationResolveInfo
"""Strawberry's resolve info type (graphql-core's, plus the operation's extensions)."""


def _resolve_info(
    compiler: _Compiler,
    field_def: Any,
    parent_type: GraphQLObjectType,
    nodes: list[FieldNode],
    path: ResponsePath,
    run: _Run | None,
) -> Any:
    """The resolve info Strawberry's executor gives a field (without a run: at compile time).

    Like Strawberry's: the variables as their coerced dict, the operation's
    extensions (``info.input_extensions``) at the end.
    """
    variables = run.variables if run is not None else compiler.no_variables
    return _RESOLVE_INFO(
        nodes[0].name.value,
        nodes,
        field_def.type,
        parent_type,
        _graphql_path(path),
        compiler.schema,
        compiler.fragments,
        run.root_value if run is not None else None,
        compiler.operation,
        variables.coerced,
        run.context if run is not None else None,
        is_awaitable,
        None,
        _HELPERS,
        run.extensions if run is not None else None,
    )


class _Info(strawberry.Info[Any, Any]):
    """A ``strawberry.Info`` whose resolve info is built only if a resolver reads it."""

    def __init__(self, frame: _InfoFrame, run: _Run, path: ResponsePath) -> None:
        self._frame = frame
        self._run = run
        self._path = path
        self._field = frame.definition

    @cached_property
    def selected_fields(self) -> list[Any]:
        return self._frame.selected_fields(self)

    @property
    def context(self) -> Any:
        return self._run.context

    @cached_property
    def _raw_info(self) -> GraphQLResolveInfo[Any]:  # type: ignore[override]
        frame = self._frame
        info: GraphQLResolveInfo[Any] = _resolve_info(
            frame.compiler, frame.field_def, frame.parent_type, frame.nodes, self._path, self._run
        )
        return info


async def _gather(awaitables: Sequence[Awaitable[Any]]) -> list[Any]:
    return list(await asyncio.gather(*awaitables))


_HELPERS = GraphQLResolveInfoHelpers(gather=_gather, track=lambda _values: None)


# --- the compiled operation -----------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class CompiledResult:
    data: dict[str, Any] | None
    errors: list[GraphQLError]


class CompiledOperation:
    """One query operation of a document, ready to run with any variables."""

    def __init__(self, compiler: _Compiler) -> None:
        self.schema = compiler.schema
        self.operation = compiler.operation
        self.name = compiler.operation.name.value if compiler.operation.name else None
        root = self.schema.query_type
        assert root is not None
        self._root = compiler.object_completer(root, [compiler.operation.selection_set], root=True)

    async def execute(
        self,
        context: Any,
        variables: dict[str, Any] | None = None,
        root_value: Any = None,
        extensions: dict[str, Any] | None = None,
    ) -> CompiledResult:
        coerced = get_variable_values(
            self.schema,
            self.operation.variable_definitions or (),
            variables or {},
            max_errors=MAX_VARIABLE_ERRORS,
        )
        if isinstance(coerced, list):
            return CompiledResult(None, coerced)
        run = _Run(context, root_value, coerced, extensions)
        try:
            data = self._root(run, root_value, None)
        except GraphQLError as error:
            return CompiledResult(None, [*run.errors, error])
        started, run.pending = run.pending, []
        if type(data) is _Waiting:
            settled = await asyncio.gather(data.awaitable, *started, return_exceptions=True)
            data = settled[0]
            if isinstance(data, BaseException):
                if not isinstance(data, GraphQLError):
                    raise data
                return CompiledResult(None, [*run.errors, data])
        else:
            await _wait_all(started)
        return CompiledResult(data, list(run.errors))


def compile_operation(
    schema: strawberry.Schema, document: DocumentNode, operation_name: str | None = None
) -> CompiledOperation:
    """The document's query operation compiled; ``NotCompilable`` says why it can't be.

    The document must have passed validation against ``schema``.
    """
    if any(ext._implements_resolve() for ext in schema.get_extensions()):
        raise NotCompilable("a schema extension wraps every resolver")
    if getattr(schema.schema_converter, "_exception_handler_specs", None):
        raise NotCompilable("the schema has exception handlers")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise NotCompilable("the document has several operations and none was named")
        operation = operations[0]
    else:
        named = [o for o in operations if o.name and o.name.value == operation_name]
        if not named:
            raise NotCompilable(f"no operation named {operation_name}")
        operation = named[0]
    if operation.operation is not OperationType.QUERY:
        raise NotCompilable(f"a {operation.operation.value}")
    if operation.directives:
        raise NotCompilable("directives on the operation")
    return CompiledOperation(_Compiler(schema, document, operation))
