"""A seeded generator of random, valid operations over the Customer 360 schema.

It walks the real schema's types (read from its SDL) and writes what clients
write: aliases, the same field selected twice (merged), named fragments (the
same one spread twice too), inline fragments, variables for arguments, literal
and variable ``@skip``/``@include``, ``__typename``, nested lists. A response key
always names the same field with the same arguments within one document, so
every operation passes validation (fields that merge must agree).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)

from tests.schema.failing_sources import CUSTOMER_IDS, EMAILS, PHONES

VARIABLE_TYPES = {
    "id": "ID",
    "ids": "[ID!]!",
    "phone": "String!",
    "email": "String",
    "limit": "Int",
    "n": "Int!",
    "days": "Int!",
    "status": "String",
    "since": "DateTime",
    "yes": "Boolean!",
    "no": "Boolean!",
}


@dataclass(slots=True)
class Operation:
    text: str
    variables: dict[str, Any]
    operation_name: str | None


@dataclass
class _Document:
    rng: random.Random
    schema: GraphQLSchema
    keys: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """(type, response key) -> (field name, arguments text): what merges must agree on."""
    fragments: dict[str, tuple[str, str]] = field(default_factory=dict)
    """name -> (type condition, body)."""
    building: set[str] = field(default_factory=set)

    @staticmethod
    def variable(name: str) -> str:
        return f"${name}"  # declared if the finished text uses it


def _literal_list(rng: random.Random, pool: list[str], k: int) -> str:
    return "[" + ", ".join(f'"{rng.choice(pool)}"' for _ in range(k)) + "]"


def _arguments(doc: _Document, type_name: str, name: str) -> str:
    """Argument text for one field (chosen once per response key)."""
    rng = doc.rng
    pick = rng.random()

    def limit() -> str:
        return rng.choice(["0", "1", "2", "null", "-1", doc.variable("limit"), doc.variable("n")])

    if type_name == "Query":
        if name == "customer":
            if pick < 0.06:
                return f'(id: "{rng.choice(CUSTOMER_IDS)}", email: "{rng.choice(EMAILS)}")'
            if pick < 0.08:
                return ""  # no identifier: a client error
            if pick < 0.12:
                return '(id: " ")'  # an id that cannot be one
            kind = rng.choice(["id", "id", "phone", "email"])
            if rng.random() < 0.3:
                return f"({kind}: {doc.variable(kind)})"
            pool = {"id": CUSTOMER_IDS, "phone": PHONES, "email": EMAILS}[kind]
            return f'({kind}: "{rng.choice(pool)}")'
        if name == "customers":
            if rng.random() < 0.3:
                return f"(ids: {doc.variable('ids')})"
            pool = [*CUSTOMER_IDS, " "] if pick < 0.1 else CUSTOMER_IDS  # " ": not an id
            return f"(ids: {_literal_list(rng, pool, rng.randint(0, 3))})"
        if name == "agentView":
            if rng.random() < 0.3:
                return f"(phone: {doc.variable('phone')})"
            return f'(phone: "{rng.choice(PHONES)}")'
    if name in {"orders", "socialMentions"} and pick < 0.5:
        return f"(limit: {limit()})"
    if name in {"invoices", "tickets"} and pick < 0.6:
        status = rng.choice(['"open"', '"paid"', '"CLOSED"', "null", doc.variable("status")])
        return rng.choice(
            [f"(status: {status})", f"(limit: {limit()})", f"(status: {status}, limit: {limit()})"]
        )
    if name == "webVisits" and pick < 0.5:
        since = rng.choice(
            ['"2026-11-27T00:00:00Z"', '"2026-01-01T00:00:00+02:00"', doc.variable("since")]
        )
        return rng.choice([f"(since: {since})", f"(limit: {limit()})"])
    if name == "recentOrders" and pick < 0.5:
        return f"(limit: {rng.choice(['0', '2', '500', doc.variable('n')])})"
    if name == "recentMentions" and pick < 0.5:
        return f"(days: {rng.choice(['0', '3', '365', doc.variable('days')])})"
    return ""


ARGUMENTS_WRITTEN = {("Query", "customers"), ("Query", "agentView")}
"""Fields with a required argument that ``_arguments`` always writes."""


def _can_ask(type_name: str, name: str, field: GraphQLField) -> bool:
    """Whether the generator can ask for the field: it writes every required argument."""
    required = [
        a for a in field.args.values() if is_non_null_type(a.type) and a.default_value is Undefined
    ]
    return not required or (type_name, name) in ARGUMENTS_WRITTEN


def _directive(doc: _Document) -> str:
    rng = doc.rng
    if rng.random() >= 0.15:
        return ""
    name = rng.choice(["skip", "include"])
    # Mostly literal: a variable directive is run by graphql-core, not by a plan.
    value = rng.choice(["true", "false"] * 4 + [doc.variable("yes"), doc.variable("no")])
    return f" @{name}(if: {value})"


def _field_text(doc: _Document, parent: GraphQLObjectType, depth: int) -> str:
    rng = doc.rng
    if rng.random() < 0.08:
        return "__typename"
    names = [n for n, f in parent.fields.items() if _can_ask(parent.name, n, f)]
    name = rng.choice(names)
    field_def: GraphQLField = parent.fields[name]
    key = name
    if rng.random() < 0.25:
        key = f"{name}{rng.randint(1, 2)}"
    registered = doc.keys.get((parent.name, key))
    if registered is None:
        registered = doc.keys[(parent.name, key)] = (name, _arguments(doc, parent.name, name))
    _, arguments = registered
    if any(used not in field_def.args for used in re.findall(r"(\w+): ", arguments)):
        arguments = ""  # a field of the same name elsewhere takes none of these arguments
    head = name if key == name else f"{key}: {name}"
    text = f"{head}{arguments}{_directive(doc)}"
    named = get_named_type(field_def.type)
    if is_leaf_type(named):
        return text
    assert isinstance(named, GraphQLObjectType)
    return f"{text} {_selection_set(doc, named, depth + 1)}"


def _fragment_spread(doc: _Document, parent: GraphQLObjectType, depth: int) -> str:
    rng = doc.rng
    mine = [
        n for n, (on, _) in doc.fragments.items() if on == parent.name and n not in doc.building
    ]
    if mine and rng.random() < 0.6:
        name = rng.choice(mine)
    else:
        name = f"{parent.name}Bits{len(doc.fragments) + len(doc.building) + 1}"
        doc.building.add(name)
        body = _selection_set(doc, parent, depth + 1)
        doc.building.discard(name)
        doc.fragments[name] = (parent.name, body)
    spread = f"...{name}{_directive(doc)}"
    return f"{spread} ...{name}" if rng.random() < 0.3 else spread


def _selection_set(doc: _Document, parent: GraphQLObjectType, depth: int) -> str:
    rng = doc.rng
    if depth >= 4:  # deep enough: one leaf
        leaves = [n for n, f in parent.fields.items() if is_leaf_type(get_named_type(f.type))]
        return "{ " + (rng.choice(leaves) if leaves else "__typename") + " }"
    wanted = rng.randint(1, 4 if depth < 2 else 3)
    selections: list[str] = []
    for _ in range(wanted):
        pick = rng.random()
        if pick < 0.12:
            selections.append(_fragment_spread(doc, parent, depth))
        elif pick < 0.2:
            condition = rng.choice([f" on {parent.name}", ""])
            inner = _selection_set(doc, parent, depth + 1)
            selections.append(f"...{condition}{_directive(doc)} {inner}")
        else:
            selections.append(_field_text(doc, parent, depth))
        if rng.random() < 0.1:
            selections.append(selections[-1])  # the same selection twice: merged
    return "{ " + " ".join(selections) + " }"


def _values(rng: random.Random, used: set[str]) -> dict[str, Any]:
    choices: dict[str, Callable[[], Any]] = {
        "id": lambda: rng.choice([*CUSTOMER_IDS, None]),
        "ids": lambda: rng.sample(CUSTOMER_IDS, rng.randint(0, 3)),
        "phone": lambda: rng.choice(PHONES),
        "email": lambda: rng.choice(EMAILS),
        "limit": lambda: rng.choice([None, 0, 1, 3, -2]),
        "n": lambda: rng.choice([0, 1, 4]),
        "days": lambda: rng.choice([1, 30, 400]),
        "status": lambda: rng.choice([None, "open", "PAID"]),
        "since": lambda: rng.choice([None, "2026-11-27T05:00:00Z"]),
        "yes": lambda: True,
        "no": lambda: False,
    }
    return {name: choices[name]() for name in sorted(used)}


def random_operation(rng: random.Random, schema: GraphQLSchema) -> Operation:
    """One valid operation (with its variables) over ``schema``'s query type."""
    doc = _Document(rng, schema)
    root = schema.query_type
    assert root is not None
    roots = [_field_text(doc, root, 0) for _ in range(rng.randint(1, 3))]
    body = "{ " + " ".join(roots) + " }"
    fragments = "".join(
        f"\nfragment {n} on {on} {text}" for n, (on, text) in sorted(doc.fragments.items())
    )
    used = set(re.findall(r"\$(\w+)", body + fragments))
    name = rng.choice([None, "Differential"])
    header = "query"
    if name is not None:
        header += f" {name}"
    if used:
        header += "(" + ", ".join(f"${v}: {VARIABLE_TYPES[v]}" for v in sorted(used)) + ")"
    text = (
        f"{header} {body}{fragments}"
        if header != "query" or rng.random() < 0.5
        else body + fragments
    )
    return Operation(text, _values(rng, used), name if name and text.startswith("query") else None)
