"""The GraphQL schema of the Customer 360."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry

from schema.plain_data import plain_data_executor, plain_types
from schema.query import Query


def build_schema(extensions: Sequence[Any] = (), *, plain_data: bool = True) -> strawberry.Schema:
    """The schema with the gateway's extensions (limits, masking, caches) plugged in.

    ``plain_data`` completes plain-data objects without per-field dispatch
    (see ``schema.plain_data``); off only to compare against the generic path.
    """
    schema = strawberry.Schema(query=Query, extensions=list(extensions))
    if plain_data:
        schema.execution_context_class = plain_data_executor(plain_types(schema._schema))
    return schema


schema = build_schema()
"""The bare schema, for ``strawberry export-schema schema:schema`` and the SDL drift test."""
