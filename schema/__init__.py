"""The GraphQL schema of the Customer 360."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import strawberry
import strawberry.schema.name_converter as _name_converter

from schema.execution import plain_data_executor, plain_types
from schema.query import Query

# Strawberry converts every argument name to camelCase again on every resolver
# call (7% of a 50-customer list's CPU); the conversion is a pure function of the
# name, so it is memoized once for the process.
_converters = vars(_name_converter)
if not hasattr(_converters["to_camel_case"], "cache_info"):
    _converters["to_camel_case"] = functools.lru_cache(maxsize=4096)(_converters["to_camel_case"])


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
