"""Plain variables (IDs, strings, lists of them) coerced at a glance give graphql-core's values.

Whatever the glance cannot vouch for is left to graphql-core (None), so a
client's mistakes keep graphql-core's wording; what it does coerce is the very
``VariableValues`` graphql-core builds.
"""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import OperationDefinitionNode, parse

from schema.execution.adapter import get_variable_values
from schema.execution.plain_variables import PlainVariables


@strawberry.type
class Query:
    @strawberry.field
    def names(self, ids: list[strawberry.ID] | None = None, word: str | None = None) -> str:
        return ""


SCHEMA = strawberry.Schema(query=Query)
GRAPHQL_SCHEMA = SCHEMA._schema

PLAIN = "query($ids: [ID!]!, $word: String, $more: [String], $one: ID!) { names(ids: $ids) }"

INPUTS: list[dict[str, Any]] = [
    {"ids": ["C-1", "C-2"], "word": "x", "more": ["a"], "one": "1"},
    {"ids": [], "one": "1"},
    {"ids": ["C-1"], "word": None, "more": None, "one": "1"},
    {"ids": ["C-1"], "one": "1", "unknown": 5},
    {"ids": ["C-1", 7], "one": "1"},  # a number is an ID graphql-core turns into text
    {"ids": "C-1", "one": "1"},  # a single value for a list
    {"ids": ["C-1", None], "one": "1"},  # a null item of a non-null list
    {"ids": None, "one": "1"},
    {"one": "1"},
    {"ids": ["C-1"]},
    {"ids": ["C-1"], "one": 2.5},
    {"ids": ["C-1"], "one": True},
    {"ids": ["C-1"], "one": "1", "more": [None, "b"]},
    {"ids": ("C-1",), "one": "1"},
    {"ids": ["C-1"], "one": "1", "word": {"a": 1}},
]


def operation(text: str) -> OperationDefinitionNode:
    (definition,) = parse(text).definitions
    assert isinstance(definition, OperationDefinitionNode)
    return definition


@pytest.mark.parametrize("inputs", INPUTS)
def test_plain_variables_are_graphql_cores_or_left_to_it(inputs: dict[str, Any]) -> None:
    definitions = operation(PLAIN).variable_definitions
    plain = PlainVariables.of(GRAPHQL_SCHEMA, definitions)
    assert plain is not None
    expected = get_variable_values(GRAPHQL_SCHEMA, definitions, inputs, max_errors=50)
    found = plain.coerced(inputs)
    if found is None:
        return  # graphql-core coerces it (and words any error)
    assert not isinstance(expected, list), expected
    assert found.coerced == expected.coerced
    assert list(found.coerced) == list(expected.coerced)
    assert {k: type(v) for k, v in found.coerced.items()} == {
        k: type(v) for k, v in expected.coerced.items()
    }
    assert described(found.sources) == described(expected.sources)


def described(sources: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Sources as graphql-core reads them (each coercion builds its own type wrappers)."""
    return [
        (name, s.signature.name, str(s.signature.type), s.signature.default, s.value)
        for name, s in sources.items()
    ]


def test_the_usual_inputs_are_coerced_at_a_glance() -> None:
    plain = PlainVariables.of(GRAPHQL_SCHEMA, operation(PLAIN).variable_definitions)
    assert plain is not None
    assert plain.coerced(INPUTS[0]) is not None
    assert plain.coerced({"ids": ["C-1"], "one": "1"}) is not None


@pytest.mark.parametrize(
    "text",
    [
        'query($ids: [ID!]! = ["C-1"]) { names(ids: $ids) }',  # a default
        "query($n: Int) { names }",
        "query($ids: [[ID]]) { names }",
        "query($b: Boolean) { names }",
    ],
)
def test_other_variables_are_left_to_graphql_core(text: str) -> None:
    assert PlainVariables.of(GRAPHQL_SCHEMA, operation(text).variable_definitions) is None
