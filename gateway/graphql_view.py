"""The GraphQL endpoint: Strawberry's ASGI view with our context, JSON encoding and status codes.

Follows GraphQL over HTTP: requests that fail before execution (unparsable
JSON or GraphQL, validation, limits) answer 400, a wrong content type 415, a
mutation over GET or another method 405, always with a GraphQL error body, never
a bare text page or a 500. Clients that accept ``application/graphql-response+json``
get it; everyone else keeps ``application/json``. Every answer names its request
in an ``x-request-id`` header.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette import status
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketClose
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult

from gateway.answer_encoding import LONGEST_LIST, sliced_answer
from gateway.graphiql import GraphiQLPage
from gateway.graphql_http import (
    APPLICATION_JSON,
    REFUSED_DOCUMENT_CODES,
    RefusedRequest,
    answer_too_large_document,
    batch_data,
    check_query_size,
    decode_query_params,
    decode_request_json,
    error_response,
    failed_before_execution,
    request_data,
    response_media_type,
    status_code_name,
    with_pre_execution_code,
)
from gateway.operation_choice import OPERATION_RESOLUTION_FAILURE
from gateway.persisted import PersistedQueries, PersistedQueryError
from gateway.request_context import new_context
from gateway.saved_queries import SavedQuery
from gateway.settings import Settings
from schema.context import Context
from schema.execution.encoded_lists import encoded_as_completed

__all__ = ["CustomerGraphQL", "error_response"]

log = logging.getLogger("c360.http")


class CustomerGraphQL(GraphQL[Context, None]):
    """Strawberry's view, wired to the gateway's per-request context and the HTTP rules above."""

    def __init__(
        self,
        schema: Any,
        settings: Settings,
        persisted: PersistedQueries,
        saved: Mapping[str, SavedQuery] | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            subscription_protocols=(),
        )
        self.settings = settings
        self.persisted = persisted
        self.ide_page = GraphiQLPage.for_saved_queries(saved or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            # The schema has no subscriptions: no socket is accepted, so nothing runs
            # outside the HTTP admission limits (gateway/admission.py).
            await WebSocketClose(code=status.WS_1008_POLICY_VIOLATION)(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        media_type = response_media_type(request.headers.get("accept"))
        self.persisted.begin_request()
        try:
            with encoded_as_completed():  # the answer goes out through orjson.dumps, unread
                response = await self.run(request)
        except HTTPException as exc:
            response = self.rejection(request, exc, media_type)
        except (PersistedQueryError, RefusedRequest) as exc:
            response = error_response(exc.status, exc.message, exc.code, media_type=media_type)
        except Exception:
            # A bug of ours, not the client's: log it, answer a JSON 500 naming the request.
            request_id = getattr(request.state, "request_id", None)
            log.exception("unhandled error in the GraphQL view (request %s)", request_id)
            response = error_response(
                500,
                "Internal server error; quote extensions.requestId when reporting it.",
                "INTERNAL_SERVER_ERROR",
                media_type=media_type,
                requestId=request_id,
            )
        if response.media_type == APPLICATION_JSON:
            response.media_type = media_type
            response.headers["content-type"] = media_type
        request_id = getattr(request.state, "request_id", None)
        if request_id:
            response.headers["x-request-id"] = request_id
        await response(scope, receive, send)

    def rejection(self, request: Request, exc: HTTPException, media_type: str) -> Response:
        """The error response for a request refused before execution."""
        if isinstance(exc.__cause__, InvalidOperationTypeError) and request.method == "GET":
            # The spec demands 405 for a mutation over GET, whatever the media type.
            operation = exc.__cause__.operation_type.value
            return error_response(
                405,
                f"A {operation} cannot be sent with GET; send it with POST.",
                "METHOD_NOT_ALLOWED",
                media_type=media_type,
                headers={"allow": "POST"},
            )
        if isinstance(exc.__cause__, CannotGetOperationTypeError):
            name = exc.__cause__.operation_name
            message = (
                "The document holds no operation to run."
                if name is None
                else f'The document has no operation named "{name[:100]}" (operationName).'
            )
            return error_response(400, message, OPERATION_RESOLUTION_FAILURE, media_type=media_type)
        if exc.status_code == 405:
            return error_response(
                405,
                f"The GraphQL endpoint answers GET and POST, not {request.method}.",
                "METHOD_NOT_ALLOWED",
                media_type=media_type,
                headers={"allow": "GET, POST"},
            )
        if exc.status_code == 404 and self.should_render_graphql_ide(
            self.request_adapter_class(request)
        ):
            return error_response(
                404,
                "GraphiQL is turned off on this server; send queries with POST or GET ?query=.",
                "NOT_FOUND",
                media_type=media_type,
            )
        return error_response(
            exc.status_code, exc.reason, status_code_name(exc.status_code), media_type=media_type
        )

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """POST bodies are checked here (Strawberry's own parsing crashes on odd JSON).

        A persisted query's id is swapped for its text here, before anything runs.
        """
        if request.method != "POST":
            data = await super().parse_http_body(request)
            if isinstance(data, GraphQLRequestData):
                check_query_size(data.query, self.settings.max_query_bytes)
                params = dict(request.query_params)
                payload = {
                    "query": data.query,
                    "extensions": data.extensions,
                    "documentId": params.get("documentId"),
                }
                data.query = self.persisted.text_for(payload) or data.query
            return data
        content_type, _ = parse_content_type(request.content_type or "")
        if content_type != APPLICATION_JSON:
            shown = content_type or "none"
            raise HTTPException(
                415,
                f"Unsupported content type '{shown}': POST a JSON body "
                f"with Content-Type: {APPLICATION_JSON}.",
            )
        body = await request.get_body()
        document = decode_request_json(body, max_list_items=self.settings.max_list_items)
        if isinstance(document, list):
            batching = self.schema.config.batching_config
            batch = batch_data(document, batching["max_operations"] if batching else None)
            for item in batch:
                check_query_size(item.query, self.settings.max_query_bytes)
            return batch
        data = request_data(document)
        check_query_size(data.query, self.settings.max_query_bytes)
        if isinstance(document, dict):
            data.query = self.persisted.text_for(document) or data.query
        return data

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the gateway's own assets (gateway/graphiql.py), not from a CDN."""
        return self.ide_page.response()

    def should_render_graphql_ide(self, request: Any) -> bool:
        """A GET that names a persisted query is a query, not a visit to GraphiQL."""
        params = request.query_params
        if params.get("extensions") is not None or params.get("documentId") is not None:
            return False
        return bool(super().should_render_graphql_ide(request))

    def parse_query_params(self, params: Mapping[str, str | None]) -> dict[str, Any]:
        return decode_query_params(params)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context = new_context(request, response, self.settings)
        request.state.sub_response = response
        request.state.request_id = context.request_id
        # Its ``extra`` alone: the context holds the request, and a cycle through the
        # request would keep the answer's loaders alive until a full collection.
        request.state.context_extra = context.extra
        if isinstance(response, Response):
            response.headers["x-request-id"] = context.request_id
        return context

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """Strawberry's response, unless the answer is over ``max_answer_bytes``.

        Demand control bounds what an operation may ask for; this bounds what it
        got: an answer too large for any client to use becomes one error naming
        its size and the limit (``data: null``), instead of megabytes on the wire.
        """
        response = super().create_response(response_data, sub_response)
        size = len(response.body)
        limit = self.settings.max_answer_bytes
        if size > limit:
            response.body = orjson.dumps({"data": None, **answer_too_large_document(size, limit)})
            response.headers["content-length"] = str(len(response.body))
        return response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        errors = result.errors or []
        before_execution = failed_before_execution(result.data, errors)
        processed: dict[str, Any] = {}
        if not before_execution:
            extra = getattr(request.state, "context_extra", None)
            longest = extra.get(LONGEST_LIST) if extra is not None else None
            processed["data"] = await sliced_answer(result.data, longest)
        validated = True
        if errors and before_execution:
            processed["errors"] = [with_pre_execution_code(e) for e in errors]
            codes = {error["extensions"]["code"] for error in processed["errors"]}
            validated = not codes & REFUSED_DOCUMENT_CODES
        elif errors:
            processed["errors"] = [e.formatted for e in errors]
        if result.extensions:
            processed["extensions"] = result.extensions
        if before_execution:
            request.state.sub_response.status_code = 400
        self.persisted.end_request(validated=validated)
        return processed  # type: ignore[return-value]
