"""Small builders for the OpenAPI 3.0.3 documents each demo system serves at `/openapi.json`.

Every response is a named object schema with `properties`, so generators such as
GraphQL Mesh's `@omnigraph/openapi` get real types, not `JSON` scalars.
"""

from __future__ import annotations

from typing import Any

from sources.demo.params import MAX_BATCH

Schema = dict[str, Any]

ERROR_SCHEMA: Schema = {
    "type": "object",
    "properties": {"error": {"type": "string", "description": "What went wrong."}},
    "required": ["error"],
}


def string(
    description: str,
    *,
    fmt: str | None = None,
    enum: tuple[str, ...] | None = None,
    nullable: bool = False,
    example: str | None = None,
) -> Schema:
    schema: Schema = {"type": "string", "description": description}
    if fmt:
        schema["format"] = fmt
    if enum:
        schema["enum"] = list(enum)
    if nullable:
        schema["nullable"] = True
    if example is not None:
        schema["example"] = example
    return schema


def integer(description: str) -> Schema:
    return {"type": "integer", "description": description}


def number(description: str, *, fmt: str = "double") -> Schema:
    return {"type": "number", "format": fmt, "description": description}


def money(description: str) -> Schema:
    """Money is a JSON number rounded to 2 decimals (USD)."""
    return {"type": "number", "format": "double", "description": f"{description} (2 decimals)."}


def array(items: Schema, description: str | None = None) -> Schema:
    schema: Schema = {"type": "array", "items": items}
    if description:
        schema["description"] = description
    return schema


def obj(properties: dict[str, Schema], *, nullable: bool = False, description: str = "") -> Schema:
    """An object whose every listed property is always present (possibly null)."""
    schema: Schema = {"type": "object", "properties": properties, "required": list(properties)}
    if description:
        schema["description"] = description
    if nullable:
        schema["nullable"] = True
    return schema


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def list_of(item: str) -> Schema:
    """`{"data": [item, ...]}`: the envelope of every list response."""
    return obj({"data": array(ref(item))}, description=f"A list of {item} records.")


def batch_parameter(name: str, description: str, example: str, *, required: bool) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": f"{description} Comma-separated, at most {MAX_BATCH} values.",
        "schema": {"type": "string"},
        "example": example,
    }


def path_parameter(name: str, description: str, example: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
        "example": example,
    }


def get_operation(
    operation_id: str,
    summary: str,
    parameters: list[Schema],
    response: str,
    *,
    description: str = "",
) -> dict[str, Any]:
    """A GET operation answering 200 with schema `response`, and the shared error answers."""
    error = {"application/json": {"schema": ref("Error")}}
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "OK",
                "content": {"application/json": {"schema": ref(response)}},
            },
            "400": {
                "description": "Bad request (missing parameter or batch too large)",
                "content": error,
            },
            "500": {"description": "Internal error", "content": error},
            "503": {"description": "Temporarily unavailable", "content": error},
        },
    }
    if description:
        operation["description"] = description
    return operation


def document(
    system: str, description: str, paths: dict[str, Any], schemas: dict[str, Schema]
) -> dict[str, Any]:
    """A complete OpenAPI 3.0.3 document; `servers` is filled in per request by the shell."""
    return {
        "openapi": "3.0.3",
        "info": {"title": f"Demo {system} API", "version": "1.0.0", "description": description},
        "paths": paths,
        "components": {"schemas": {**schemas, "Error": ERROR_SCHEMA}},
    }
