"""The GraphQL schema of the Customer 360."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry

from schema.query import Query


def build_schema(extensions: Sequence[Any] = ()) -> strawberry.Schema:
    """The schema with the gateway's extensions (limits, masking, caches) plugged in."""
    return strawberry.Schema(query=Query, extensions=list(extensions))


schema = build_schema()
"""The bare schema, for ``strawberry export-schema schema:schema`` and the SDL drift test."""
