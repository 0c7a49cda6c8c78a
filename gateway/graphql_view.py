"""The GraphQL endpoint: Strawberry's ASGI view with our context, JSON encoding and status codes.

Errors that happen before execution (unparsable JSON or GraphQL, validation,
limits) answer 400 with a GraphQL error body, never a bare text page or a 500.
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from gateway.request_context import new_context
from gateway.settings import Settings
from schema.context import Context


def error_response(status: int, message: str, code: str = "BAD_REQUEST") -> Response:
    """A GraphQL-shaped error document for a request that never reached execution."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


class CustomerGraphQL(GraphQL[Context, None]):
    """Strawberry's view, wired to the gateway's per-request context."""

    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
        )
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = error_response(exc.status_code, exc.reason)
        await response(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        request.state.sub_response = response
        return new_context(request, response, self.settings)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        errors = result.errors or []
        before_execution = (
            result.data is None and bool(errors) and all(e.path is None for e in errors)
        )
        processed: dict[str, Any] = {} if before_execution else {"data": result.data}
        if errors:
            processed["errors"] = [e.formatted for e in errors]
        if result.extensions:
            processed["extensions"] = result.extensions
        if before_execution:
            request.state.sub_response.status_code = 400
        return processed  # type: ignore[return-value]
