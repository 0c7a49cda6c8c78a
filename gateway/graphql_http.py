"""GraphQL-over-HTTP wire rules: media types, the request document's shape, error documents.

Plain Strawberry trusts the request body (``null`` or a number crash it into a
bare 500) and always answers ``application/json``. These functions turn every
malformed request into a 4xx with a GraphQL-shaped error that names the
problem, and answer ``application/graphql-response+json`` to clients that ask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.responses import Response
from strawberry.http import GraphQLRequestData

from gateway.variable_lists import LIST_SCAN_BYTES, over_long_variable

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
# graphql-core's wording for variable values the client got wrong (coercion, not validation).
VARIABLE_VALUE_PROBLEMS = ("has invalid value", "was not provided", "must not be null")
REFUSED_DOCUMENT_CODES = frozenset({"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"})
"""Codes of a document that does not parse or validate (as opposed to a refused request)."""
STATUS_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    413: "BODY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def accepted_quality(accept: str, media_type: str) -> float:
    """The q-value ``accept`` gives exactly ``media_type`` (0 when not listed)."""
    best = 0.0
    for media_range in accept.split(","):
        name, *params = (part.strip() for part in media_range.split(";"))
        if name.lower() != media_type:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best = max(best, quality)
    return best


def response_media_type(accept: str | None) -> str:
    """``application/graphql-response+json`` when the client prefers it, else legacy JSON.

    The spec lets a server ignore an Accept it cannot satisfy, so anything else
    (``*/*``, ``text/plain``, no header at all) gets ``application/json``.
    """
    if not accept:
        return APPLICATION_JSON
    wanted = accepted_quality(accept, GRAPHQL_RESPONSE_JSON)
    if wanted > 0 and wanted >= accepted_quality(accept, APPLICATION_JSON):
        return GRAPHQL_RESPONSE_JSON
    return APPLICATION_JSON


def error_document(message: str, code: str, **extensions: object) -> dict[str, Any]:
    """The one shape every rejected request gets: ``{"errors": [{message, extensions.code}]}``."""
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


@dataclass(slots=True, frozen=True)
class RefusedRequest(Exception):
    """A request refused before parsing, with the code its error document carries."""

    status: int
    message: str
    code: str


def check_query_size(query: str | None, limit: int) -> None:
    """Refuses a query text over ``limit`` characters before anything parses it.

    The token limit bounds how many tokens a parser reads, not how long one is:
    a 900 KB operation name is one token and a quarter second of parsing.
    """
    if query is not None and len(query) > limit:
        raise RefusedRequest(
            400,
            f"The query text is {len(query)} characters; this server reads at most {limit}.",
            "QUERY_TOO_LARGE",
        )


def answer_too_large_document(size: int, limit: int) -> dict[str, Any]:
    """The errors of an answer that ran but came out larger than the server sends."""
    return error_document(
        f"The answer is {size} bytes; this server sends at most {limit}. Ask for fewer items "
        "or fields, or split the request.",
        "RESPONSE_TOO_LARGE",
        size=size,
        limit=limit,
    )


def error_response(
    status: int,
    message: str,
    code: str = "BAD_REQUEST",
    *,
    media_type: str = APPLICATION_JSON,
    headers: Mapping[str, str] | None = None,
    **extensions: object,
) -> Response:
    """A GraphQL-shaped error document for a request that never reached execution."""
    return Response(
        orjson.dumps(error_document(message, code, **extensions)),
        status_code=status,
        media_type=media_type,
        headers=dict(headers or {}),
    )


def status_code_name(status: int) -> str:
    """The ``extensions.code`` of an HTTP-level refusal."""
    return STATUS_CODES.get(status, "BAD_REQUEST")


def failed_before_execution(data: object, errors: list[GraphQLError] | None) -> bool:
    """A request error (parse, validation, variables, limits): no data, no error with a path."""
    return data is None and bool(errors) and all(e.path is None for e in errors or ())


def with_pre_execution_code(error: GraphQLError) -> dict[str, Any]:
    """A parse, validation or variable error, formatted with a code clients can switch on.

    graphql-core's errors carry no code; errors that bring one keep it.
    """
    formatted: dict[str, Any] = dict(error.formatted)
    extensions: dict[str, Any] = dict(error.extensions or {})
    if "code" not in extensions:
        if error.message.startswith("Syntax Error"):
            extensions["code"] = "GRAPHQL_PARSE_FAILED"
        elif error.message.startswith("Variable '$") and any(
            problem in error.message for problem in VARIABLE_VALUE_PROBLEMS
        ):
            extensions["code"] = "BAD_USER_INPUT"
        else:
            extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
    formatted["extensions"] = extensions
    return formatted


def decode_request_json(body: bytes, max_list_items: int | None = None) -> object:
    """The body as JSON, or a 400 saying why not (empty, not UTF-8, too deep, not JSON).

    orjson rejects nesting deeper than 1024 levels and numbers beyond a double
    with a ``JSONDecodeError`` instead of the stdlib's ``RecursionError``.
    A body over ``LIST_SCAN_BYTES`` whose ``variables`` hold a list of more than
    ``max_list_items`` is refused before it is decoded (``over_long_variable``).
    """
    if not body.strip():
        raise HTTPException(400, "The request body is empty: POST a JSON object with a `query`.")
    if max_list_items is not None and len(body) > LIST_SCAN_BYTES:
        name = over_long_variable(body, max_list_items)
        if name is not None:
            raise RefusedRequest(
                400,
                f"Variable ${name} holds more than {max_list_items} items; "
                f"at most {max_list_items} are allowed.",
                "BAD_USER_INPUT",
            )
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"Unable to parse request body as JSON: {exc}") from exc


def decode_query_params(params: Mapping[str, str | None]) -> dict[str, Any]:
    """A GET's parameters with ``variables`` and ``extensions`` decoded from JSON.

    A parameter that is not JSON is a 400 naming it (Strawberry's own message
    speaks of a request body, which a GET does not have).
    """
    decoded: dict[str, Any] = dict(params)
    for name in ("variables", "extensions"):
        text = decoded.get(name)
        if text:
            try:
                decoded[name] = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                raise HTTPException(
                    400, f"The `{name}` query parameter is not JSON: {exc}"
                ) from exc
    return decoded


def json_kind(value: object) -> str:
    """How a JSON value is called in an error message ("a number", "null", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def request_data(document: object, *, protocol: str = "http") -> GraphQLRequestData:
    """One GraphQL request from a decoded JSON document, each member checked for its type."""
    if not isinstance(document, dict):
        raise HTTPException(
            400, f"A GraphQL request must be a JSON object, not {json_kind(document)}."
        )
    expected = {
        "query": (str, "a string"),
        "variables": (dict, "an object"),
        "operationName": (str, "a string"),
        "extensions": (dict, "an object"),
    }
    for name, (kind, described) in expected.items():
        value = document.get(name)
        if value is not None and not isinstance(value, kind):
            raise HTTPException(
                400,
                f"The request's `{name}` must be {described} or null, not {json_kind(value)}.",
            )
    return GraphQLRequestData(
        query=document.get("query"),
        variables=document.get("variables"),
        operation_name=document.get("operationName"),
        extensions=document.get("extensions"),
        protocol=protocol,  # type: ignore[arg-type]
    )


def batch_data(
    document: list[object], max_operations: int | None, *, protocol: str = "http"
) -> list[GraphQLRequestData]:
    """A batch of requests, refused outright when batching is off or the batch is too long."""
    if max_operations is None:
        raise HTTPException(
            400,
            f"Batching is off on this server: send one GraphQL request object per HTTP "
            f"request, not a list of {len(document)}.",
        )
    if len(document) > max_operations:
        raise HTTPException(
            400, f"Too many operations in one batch: {len(document)} (at most {max_operations})."
        )
    return [request_data(item, protocol=protocol) for item in document]
