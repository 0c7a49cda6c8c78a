"""The gateway's depth and alias limits count what Strawberry's limiters count, once per fragment.

``gateway.document_shape`` replaces Strawberry's ``QueryDepthLimiter`` and
``MaxAliasesLimiter`` (which follow every spread anew: exponential in a
fragment fan-out, see ``test_fragment_fanout``). On documents small enough for
Strawberry's rules, both must agree: the same first depth error (message and
location) and the same alias total.
"""

from __future__ import annotations

import random

import pytest
from graphql import GraphQLError, parse, validate
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from gateway.document_shape import alias_limit_rule, depth_limit_rule
from schema import build_schema

SCHEMA = build_schema()._schema
FIELDS = ('customer(id: "C-1")', "orders", "lines", "segment", "address")


def _errors(rule: type, text: str) -> list[GraphQLError]:
    return validate(SCHEMA, parse(text), [rule], max_errors=10_000)


def _random_document(rng: random.Random) -> str:
    """Nested selections, aliases, inline fragments and fragments spread more than once.

    Field names need not exist: only the two limits run, not graphql-core's rules.
    """
    fragments: list[str] = []

    def selection(depth: int) -> str:
        parts = []
        for _ in range(rng.randint(1, 3)):
            kind = rng.random()
            alias = f"a{rng.randint(0, 99)}: " if rng.random() < 0.3 else ""
            if kind < 0.45 and depth < 7:
                parts.append(f"{alias}{rng.choice(FIELDS)} {{ {selection(depth + 1)} }}")
            elif kind < 0.6 and depth < 7:
                parts.append(f"... on Customer {{ {selection(depth)} }}")
            elif kind < 0.75 and fragments:
                parts.append(f"...F{rng.randrange(len(fragments))}")
            else:
                parts.append(f"{alias}id")
        return " ".join(parts)

    for n in range(rng.randint(0, 4)):  # each fragment may spread only earlier ones: no cycles
        fragments.append(f"fragment F{n} on Customer {{ {selection(rng.randint(0, 5))} }}")
    operations = [f"query Q{n} {{ {selection(0)} }}" for n in range(rng.randint(1, 2))]
    return " ".join(operations + fragments)


@pytest.mark.parametrize("seed", range(120))
def test_the_limits_agree_with_strawberrys_on_small_documents(seed: int) -> None:
    rng = random.Random(seed)
    text = _random_document(rng)
    max_depth = rng.randint(1, 6)
    ours = _errors(depth_limit_rule(max_depth), text)
    theirs = _errors(QueryDepthLimiter(max_depth=max_depth).validation_rules[0], text)
    # Strawberry reports every selection past the limit; we report the first one of each
    # operation, at the same place.
    first_per_operation = {}
    for e in theirs:
        first_per_operation.setdefault(e.message, e)
    assert [(e.message, e.locations) for e in ours] == [
        (e.message, e.locations) for e in first_per_operation.values()
    ]
    max_aliases = rng.randint(0, 8)
    ours = _errors(alias_limit_rule(max_aliases), text)
    theirs = _errors(MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules[0], text)
    assert [e.message for e in ours] == [e.message for e in theirs]


def test_a_deep_fragment_chain_is_aborted_as_graphql_core_does_not_a_recursion_error() -> None:
    chain = ["fragment F0 on Customer { id }"] + [
        f"fragment F{n} on Customer {{ ...F{n - 1} }}" for n in range(1, 400)
    ]
    text = '{ customer(id: "C-1") { ...F399 } } ' + " ".join(chain)
    messages = [e.message for e in _errors(depth_limit_rule(15), text)]
    messages += [e.message for e in _errors(alias_limit_rule(50), text)]
    assert messages and all(m == "Validation aborted." for m in messages)


def test_an_operation_too_deep_through_fragments_is_named_at_the_first_selection_past_it() -> None:
    text = (
        'query Deep { customer(id: "C-1") { ...A } } '
        "fragment A on Customer { orders { lines { ...B } } } "
        "fragment B on OrderLine { product { id } }"
    )
    [error] = _errors(depth_limit_rule(3), text)
    assert error.message == "'Deep' exceeds maximum operation depth of 3"
    assert error.locations is not None
    past_the_limit = text.index("product { id }") + len("product { ")  # the id below product
    assert (error.locations[0].line, error.locations[0].column) == (1, past_the_limit + 1)
    assert _errors(depth_limit_rule(4), text) == []
