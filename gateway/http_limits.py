"""Request body limits: size and read time, enforced before any route sees the body.

uvicorn has no body-read timeout and reads whatever a client sends, so a client
trickling one byte a second holds a worker and a 10 MB body fills memory. This
pure-ASGI middleware answers 413 from ``Content-Length`` alone, counts bytes
while a chunked body streams, and answers 408 when the body takes too long.
Routes then get the whole body at once, already within the limits.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.graphql_http import error_response, response_media_type


class BodyTooLarge(Exception):
    """The client sent (or announced) more than the body size limit."""


class ClientGone(Exception):
    """The client disconnected before its body was complete; nobody is left to answer."""


class RequestBodyLimits:
    """Buffers each HTTP request body, refusing bodies that are too big or too slow."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, read_timeout_s: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.read_timeout_s = read_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = body_framing(scope)
        if declared is None and not chunked:
            # No Content-Length and no Transfer-Encoding: HTTP/1.1 says there is no body
            # (a GET view); the server hands routes an empty one at once, nothing to wait for.
            await self.app(scope, receive, send)
            return
        try:
            if declared is not None and declared > self.max_body_bytes:
                raise BodyTooLarge
            async with asyncio.timeout(self.read_timeout_s):
                body = await self.read_body(receive)
        except BodyTooLarge:
            await self.refuse(scope, receive, send, 413, self.too_large_message(), "BODY_TOO_LARGE")
            return
        except TimeoutError:
            message = f"The request body took longer than {self.read_timeout_s:g} s to arrive."
            await self.refuse(scope, receive, send, 408, message, "REQUEST_TIMEOUT")
            return
        except ClientGone:
            return
        await self.app(scope, replay(body, receive), send)

    async def read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def too_large_message(self) -> str:
        return f"The request body is larger than the limit of {self.max_body_bytes} bytes."

    async def refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, message: str, code: str
    ) -> None:
        """Answer and close the connection: the unread rest of the body must not be parsed
        as the next request."""
        accept = header(scope, b"accept")
        response = error_response(
            status,
            message,
            code,
            media_type=response_media_type(accept),
            headers={"connection": "close"},
        )
        await response(scope, receive, send)


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def body_framing(scope: Scope) -> tuple[int | None, bool]:
    """The announced ``Content-Length`` (``declared_length``) and whether a
    ``Transfer-Encoding`` is given, from one pass over the headers."""
    length: str | None = None
    encoded = False
    for key, value in scope.get("headers", ()):
        key = key.lower()
        if key == b"content-length" and length is None:
            length = value.decode("latin-1")
        elif key == b"transfer-encoding":
            encoded = True
    if length is None or not length.strip().isdigit():
        return None, encoded
    return int(length), encoded


def declared_length(scope: Scope) -> int | None:
    """The ``Content-Length`` the client announced (the server already rejects malformed ones)."""
    value = header(scope, b"content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over the buffered body once, then waits for the disconnect."""
    delivered = False

    async def receive_buffered() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_buffered
