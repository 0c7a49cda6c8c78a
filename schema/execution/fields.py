"""One selected field compiled: how its value is read or its resolver called, as Strawberry would.

A plain attribute is read directly; a resolver gets exactly the arguments
Strawberry's wrapper would give it (converted arguments, ``info``, ``self``,
parent/root), with constant arguments converted once for every call.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from types import CoroutineType
from typing import TYPE_CHECKING, Any, cast

from graphql import FieldNode, GraphQLList, GraphQLNonNull, GraphQLObjectType
from graphql.type.definition import is_leaf_type

from schema.execution.adapter import (
    DEFINITION,
    StrawberryField,
    VariableValues,
    convert_python_arguments,
    get_argument_values,
    release_future,
    scalar_registry,
)
from schema.execution.eager import Waiting, eager, resume
from schema.execution.fallback import NotCompilable
from schema.execution.resolve_info import InfoFrame, LazyInfo
from schema.execution.runner import ResponsePath, Run, complete_later, then
from schema.execution.variables import has_variables

if TYPE_CHECKING:
    from schema.execution.planner import Compiler

_IMMUTABLE = (str, int, float, bool, type(None), enum.Enum)

Execute = Callable[[Run, Any, ResponsePath], Any]


@dataclass(slots=True)
class CompiledField:
    """One response key of one selection: how to get its value and complete it."""

    key: str
    nodes: list[FieldNode]
    nullable: bool
    execute: Execute


def named_type(graphql_type: Any) -> Any:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def compile_field(
    compiler: Compiler, parent_type: GraphQLObjectType, key: str, nodes: list[FieldNode]
) -> CompiledField:
    name = nodes[0].name.value
    if name == "__typename":
        typename = parent_type.name
        return CompiledField(key, nodes, False, lambda _r, _s, _p: typename)
    if name.startswith("__"):
        raise NotCompilable("introspection", f"the introspection field {name}")
    field_def = parent_type.fields[name]
    definition = (field_def.extensions or {}).get(DEFINITION)
    label = f"{parent_type.name}.{name}"
    if not isinstance(definition, StrawberryField):
        raise NotCompilable("unsupported", f"{label} is not a Strawberry field")
    if definition.extensions or getattr(definition, "permission_classes", None):
        raise NotCompilable("field_extension", f"{label} has field extensions or permissions")
    return_type = field_def.type
    complete = compiler.completer(return_type, nodes, label)
    nullable = not isinstance(return_type, GraphQLNonNull)
    child = key
    if definition.is_basic_field:
        attribute = definition.python_name
        default = compiler.strawberry_schema.config.default_resolver
        if default is getattr and is_leaf_type(named_type(return_type)):

            def execute(run: Run, source: Any, path: ResponsePath) -> Any:
                return complete(run, getattr(source, attribute), None)

        else:

            def execute(run: Run, source: Any, path: ResponsePath) -> Any:
                value = eager(default(source, attribute))
                return then(run, value, complete, (path, child))

        return CompiledField(key, nodes, nullable, execute)
    call = resolver_call(compiler, definition, field_def, parent_type, nodes)

    def execute_resolver(run: Run, source: Any, path: ResponsePath) -> Any:
        field_path = (path, child)
        value = call(run, source, field_path)
        # ``then(run, eager(value), ...)``, inlined for the usual values: this runs per field.
        if type(value) is CoroutineType:
            try:
                yielded = value.send(None)
            except StopIteration as stop:
                return complete(run, stop.value, field_path)
            release_future(yielded)  # as ``eager`` does
            awaitable = complete_later(run, resume(value, yielded), complete, field_path)
            return Waiting(awaitable, yielded)
        if not hasattr(value, "__await__"):
            return complete(run, value, field_path)
        return then(run, eager(value), complete, field_path)

    return CompiledField(key, nodes, nullable, execute_resolver)


def resolver_call(
    compiler: Compiler,
    definition: StrawberryField,
    field_def: Any,
    parent_type: GraphQLObjectType,
    nodes: list[FieldNode],
) -> Execute:
    """A call of the field's resolver exactly as Strawberry makes it."""
    resolver = definition.base_resolver
    assert resolver is not None
    schema = compiler.strawberry_schema
    node = nodes[0]
    frame = InfoFrame(compiler, definition, field_def, parent_type, nodes)
    function = cast(Callable[..., Any], resolver.wrapped_func)
    pass_self = resolver.self_parameter is not None
    info_name = resolver.info_parameter.name if resolver.info_parameter else None
    sources = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p]
    if not definition.arguments and not sources:
        if pass_self and info_name is not None:
            return lambda run, source, path: function(
                source, **{info_name: LazyInfo(frame, run, path)}
            )
        if pass_self:
            return lambda run, source, path: function(source)
        if info_name is not None:
            return lambda run, source, path: function(**{info_name: LazyInfo(frame, run, path)})
        return lambda run, source, path: function()

    scalars = scalar_registry(schema)

    def converted(variables: VariableValues | None, info: Any) -> dict[str, Any]:
        """The arguments as the resolver takes them (Strawberry's conversion)."""
        return convert_python_arguments(
            get_argument_values(field_def, node, variables),
            definition.arguments,
            scalar_registry=scalars,
            config=schema.config,
            info=info,
        )

    static: dict[str, Any] | None = None
    if not any(has_variables(argument) for argument in node.arguments or ()):
        constant = converted(None, None)
        if all(isinstance(v, _IMMUTABLE) for v in constant.values()):
            static = constant  # shared by every call: nothing in it can be changed

    def call(run: Run, source: Any, path: ResponsePath) -> Any:
        info = LazyInfo(frame, run, path)
        kwargs = dict(static) if static is not None else converted(run.variables, info)
        if info_name is not None:
            kwargs[info_name] = info
        for name in sources:
            kwargs[name] = source
        return function(source, **kwargs) if pass_self else function(**kwargs)

    return call
