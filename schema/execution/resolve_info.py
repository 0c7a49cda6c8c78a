"""What a plan's resolvers see: a real ``strawberry.Info``, built only if they read it.

Like Strawberry's executor gives it: the coerced variables as a dict, the
operation's extensions (``info.input_extensions``), the field's path; its
``selected_fields`` converted once per field when they read no variable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

import strawberry
from graphql import FieldNode, GraphQLObjectType, GraphQLResolveInfo
from graphql.pyutils import is_awaitable

from schema.execution.adapter import (
    GraphQLResolveInfoHelpers,
    SelectedField,
    StrawberryField,
    convert_arguments,
    convert_directives,
    convert_selections,
    make_resolve_info,
)
from schema.execution.runner import ResponsePath, Run, graphql_path
from schema.execution.variables import has_variables

if TYPE_CHECKING:
    from schema.execution.planner import Compiler


class InfoFrame:
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
        compiler: Compiler,
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
        info = resolve_info(compiler, field_def, parent_type, nodes, None, None)
        self.selection: list[Any] | None = None
        self.children: list[list[Any]] | None = None
        if not any(has_variables(node) for node in nodes):
            self.selection = convert_selections(info, nodes)
        elif not any(node.selection_set and has_variables(node.selection_set) for node in nodes):
            self.children = [
                convert_selections(
                    info, cast(Any, node.selection_set.selections if node.selection_set else [])
                )
                for node in nodes
            ]

    def selected_fields(self, info: LazyInfo) -> list[Any]:
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


def resolve_info(
    compiler: Compiler,
    field_def: Any,
    parent_type: GraphQLObjectType,
    nodes: list[FieldNode],
    path: ResponsePath,
    run: Run | None,
) -> Any:
    """The resolve info Strawberry's executor gives a field (without a run: at compile time)."""
    variables = run.variables if run is not None else compiler.no_variables
    return make_resolve_info(
        nodes,
        field_def.type,
        parent_type,
        graphql_path(path),
        compiler.schema,
        compiler.fragments,
        run.root_value if run is not None else None,
        compiler.operation,
        variables.coerced,
        run.context if run is not None else None,
        is_awaitable,
        _HELPERS,
        run.extensions if run is not None else None,
    )


class LazyInfo(strawberry.Info[Any, Any]):
    """A ``strawberry.Info`` whose resolve info is built only if a resolver reads it.

    ``strawberry.Info`` reads everything from ``_raw_info`` and ``_field``
    (``adapter.INFO_ATTRIBUTES``); both are provided here.
    """

    def __init__(self, frame: InfoFrame, run: Run, path: ResponsePath) -> None:
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
        info: GraphQLResolveInfo[Any] = resolve_info(
            frame.compiler, frame.field_def, frame.parent_type, frame.nodes, self._path, self._run
        )
        return info


async def _gather(awaitables: Sequence[Awaitable[Any]]) -> list[Any]:
    return list(await asyncio.gather(*awaitables))


_HELPERS = GraphQLResolveInfoHelpers(gather=_gather, track=lambda _values: None)
