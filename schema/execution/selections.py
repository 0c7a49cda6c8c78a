"""Field collection at compile time: fragments inlined, constant ``@skip``/``@include`` applied.

What depends on the request (a ``@skip`` on a variable) or on a runtime type (a
fragment on an interface or union) is not compiled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
)

from schema.execution.fallback import NotCompilable


class Selections:
    """The fields of a document's selection sets, grouped as graphql-core's ``collect_fields``."""

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments

    def collect(
        self, object_type: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key, fragments inlined, constant @skip/@include applied."""
        grouped: dict[str, list[FieldNode]] = {}
        # One set for all the merged selections, as graphql-core's collect_subfields:
        # a fragment spread under two of them adds its fields (and locations) once.
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._collect_into(object_type, selection_set, grouped, visited)
        return grouped

    def _collect_into(
        self,
        object_type: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not _included(selection):
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
            raise NotCompilable("abstract_type", f"fragment on the abstract type {type_name}")
        return False


def _included(selection: Any) -> bool:
    included = True
    for directive in selection.directives or ():
        name = directive.name.value
        if name not in {"skip", "include"}:
            raise NotCompilable("directive", f"the @{name} directive")
        (argument,) = directive.arguments
        if isinstance(argument.value, VariableNode):
            raise NotCompilable("variable_directive", f"@{name} on a variable")
        value = argument.value.value
        if (name == "skip") == value:
            included = False
    return included
