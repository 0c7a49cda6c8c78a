"""The GraphQL schema of the Customer 360."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig

from schema.execution import BoundedExecutionContext, ExecutionEngine, MemoizedNameConverter
from schema.mutation import Mutation
from schema.query import Query


def build_schema(
    extensions: Sequence[Any] = (), *, engine: ExecutionEngine | None = None
) -> strawberry.Schema:
    """The schema with the gateway's extensions (limits, masking, caches) plugged in.

    With an ``engine``, operations run as compiled plans inside the extension
    pipeline (its extension comes last, after every other ``on_execute``) and
    the rest through the plain-data executor; such a schema runs asynchronously
    only (``execute``, as the gateway does; ``execute_sync`` refuses the engine's
    async hook). Without one: Strawberry and graphql-core's executor alone, each
    list charged to the request's completion budget (``BoundedExecutionContext``).
    """
    config = StrawberryConfig(name_converter=MemoizedNameConverter())
    if engine is None:
        return strawberry.Schema(
            query=Query,
            mutation=Mutation,
            extensions=list(extensions),
            execution_context_class=BoundedExecutionContext,
            config=config,
        )
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[*extensions, engine.extension],
        execution_context_class=engine.execution_context_class,
        config=config,
    )


schema = build_schema()
"""The bare schema, for ``strawberry export-schema schema:schema`` and the SDL drift test."""
