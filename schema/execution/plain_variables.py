"""Variables of the plainest kinds (ID and String, and lists of them) coerced at a glance.

graphql-core coerces a request's variables by walking each value against its
type (a depth check, then one call per list item): for ``$ids: [ID!]!`` with 50
ids, 100 calls that each hand a string back unchanged. An operation whose
variables are all of those kinds, without defaults, gets a ``PlainVariables``
that builds the same ``VariableValues`` when every value given is already what
coercion would give (strings, lists of strings); for anything else (a missing
or null non-null value, a number for an ID, a single value for a list) it
answers None and graphql-core coerces, words errors and all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLString,
    VariableDefinitionNode,
)
from graphql.pyutils import Undefined

from schema.execution.adapter import (
    VariableSignature,
    VariableValues,
    VariableValueSource,
    get_variable_signature,
)

_PLAIN_LEAVES = (GraphQLID, GraphQLString)
"""Leaf types whose coercion hands a ``str`` back as it is (``coerce_id``, ``coerce_string``)."""


@dataclass(slots=True, frozen=True)
class _Plain:
    name: str
    signature: VariableSignature
    non_null: bool
    listed: bool
    """A list of plain leaves (its items non-null or not: only strings pass here)."""


class PlainVariables:
    """One operation's variable definitions, when all are plain; see the module's docstring."""

    __slots__ = ("_plain",)

    def __init__(self, plain: tuple[_Plain, ...]) -> None:
        self._plain = plain

    @classmethod
    def of(
        cls, schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode]
    ) -> PlainVariables | None:
        """The plain coercion of ``definitions``; None when any of them is not plain."""
        plain: list[_Plain] = []
        for definition in definitions:
            if definition.default_value is not None or definition.directives:
                return None
            signature = get_variable_signature(schema, definition)
            if not isinstance(signature, VariableSignature):
                return None
            var_type: Any = signature.type
            non_null = isinstance(var_type, GraphQLNonNull)
            if non_null:
                var_type = var_type.of_type
            listed = isinstance(var_type, GraphQLList)
            if listed:
                var_type = var_type.of_type
                if isinstance(var_type, GraphQLNonNull):
                    var_type = var_type.of_type
            if not any(var_type is leaf for leaf in _PLAIN_LEAVES):
                return None
            plain.append(_Plain(signature.name, signature, non_null, listed))
        return cls(tuple(plain))

    def coerced(self, inputs: Mapping[str, Any]) -> VariableValues | None:
        """graphql-core's ``VariableValues`` for ``inputs``, or None: let graphql-core coerce."""
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        for variable in self._plain:
            name = variable.name
            value = inputs.get(name, Undefined)
            if value is Undefined:
                if variable.non_null:
                    return None
                sources[name] = VariableValueSource(variable.signature)
                continue
            sources[name] = VariableValueSource(variable.signature, value)
            if value is None:
                if variable.non_null:
                    return None
                coerced[name] = None
            elif variable.listed:
                if type(value) is not list:
                    return None
                for item in value:
                    if type(item) is not str:
                        return None
                coerced[name] = list(value)
            elif type(value) is str:
                coerced[name] = value
            else:
                return None
        return VariableValues(sources, coerced)
