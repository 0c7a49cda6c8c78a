"""Saved queries from ``queries/*.graphql``: each role's screens, validated at start.

A saved query is served by name (``/views/<name>``) and, later, as a persisted
query by name or hash. A saved query that does not validate stops the start,
naming the file and the problem.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import strawberry
from graphql import (
    OperationDefinitionNode,
    build_schema,
    parse,
    validate,
)
from graphql.error import GraphQLError
from graphql.language import DocumentNode, ListTypeNode, NamedTypeNode, NonNullTypeNode, TypeNode


class SavedQueryError(Exception):
    """A saved query file is missing, unreadable or invalid."""


@dataclass(slots=True, frozen=True)
class SavedQuery:
    name: str
    text: str
    sha256: str
    document: DocumentNode
    variables: dict[str, tuple[str, bool, bool]]
    """Variable name -> (named type, required, is a list)."""

    def variables_from_params(self, params: dict[str, list[str]]) -> dict[str, Any]:
        """URL query parameters as typed GraphQL variables; ValueError names the bad one."""
        values: dict[str, Any] = {}
        for name, (type_name, required, is_list) in self.variables.items():
            raw = params.get(name)
            if not raw:
                if required:
                    raise ValueError(f"missing query parameter '{name}'")
                continue
            items = [_scalar(name, type_name, item) for item in raw]
            values[name] = items if is_list else items[-1]
        unknown = sorted(set(params) - set(self.variables))
        if unknown:
            raise ValueError(
                f"unknown query parameter '{unknown[0]}' (this view takes: "
                f"{', '.join(self.variables) or 'nothing'})"
            )
        return values


def _scalar(name: str, type_name: str, raw: str) -> Any:
    try:
        if type_name == "Int":
            return int(raw)
        if type_name == "Float":
            return float(raw)
    except ValueError:
        raise ValueError(f"query parameter '{name}' must be a {type_name}, got '{raw}'") from None
    if type_name == "Boolean":
        if raw.lower() not in {"true", "false"}:
            raise ValueError(f"query parameter '{name}' must be true or false, got '{raw}'")
        return raw.lower() == "true"
    return raw


def _describe_type(node: TypeNode) -> tuple[str, bool, bool]:
    required = isinstance(node, NonNullTypeNode)
    inner = node.type if isinstance(node, NonNullTypeNode) else node
    is_list = isinstance(inner, ListTypeNode)
    while not isinstance(inner, NamedTypeNode):
        inner = inner.type  # type: ignore[attr-defined]
    return inner.name.value, required, is_list


def load_saved_queries(directory: Path, schema: strawberry.Schema) -> dict[str, SavedQuery]:
    """Every ``*.graphql`` file in ``directory``, parsed and validated, by file stem.

    Validated against the schema's SDL (Strawberry's public view of it), so no
    private attribute of the Strawberry schema is needed.
    """
    saved: dict[str, SavedQuery] = {}
    if not directory.is_dir():
        raise SavedQueryError(f"{directory}: saved-query folder not found")
    graphql_schema = build_schema(schema.as_str())
    for file in sorted(directory.glob("*.graphql")):
        text = file.read_text(encoding="utf-8")
        try:
            document = parse(text)
        except GraphQLError as exc:
            raise SavedQueryError(f"{file}: {exc.message}") from None
        errors = validate(graphql_schema, document)
        if errors:
            raise SavedQueryError(f"{file}: {errors[0].message}")
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != 1:
            raise SavedQueryError(f"{file}: a saved query holds exactly one operation")
        variables = {
            v.variable.name.value: _describe_type(v.type)
            for v in operations[0].variable_definitions or ()
        }
        digest = hashlib.sha256(text.encode()).hexdigest()
        saved[file.stem] = SavedQuery(file.stem, text, digest, document, variables)
    return saved
