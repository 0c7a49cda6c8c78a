"""Admission: how many GraphQL requests run at once, in all and per client.

One client opening hundreds of connections must not starve everyone else, and
a burst beyond what the process can serve within the deadline is better
refused at once than queued into timeouts. A pure ASGI middleware in front of
``/graphql`` and ``/views/`` counts requests in flight: over
``max_per_client`` for one client (keyed by its ``Authorization`` credential,
else its address) the answer is 429, over ``max_in_flight`` in all it is 503,
both with ``Retry-After`` and a GraphQL error body, before the body is read.
Health, readiness and metrics are never refused.
"""

from __future__ import annotations

import hashlib

from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.graphql_http import error_response

LIMITED_PATHS = ("/graphql", "/views/")
RETRY_AFTER_S = 1

REFUSED = Counter(
    "c360_admission_refused_total",
    "Requests refused before running: too many in flight in all or for one client.",
    ["reason"],
)


def client_key(scope: Scope) -> bytes:
    """Who a request counts against: a digest of its credential, else its address."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return b"c" + hashlib.blake2b(value, digest_size=16).digest()
    client = scope.get("client")
    return b"a" + (client[0].encode() if client else b"?")


class Admission:
    """Refuses GraphQL requests beyond ``max_in_flight`` (503) or ``max_per_client`` (429)."""

    def __init__(self, app: ASGIApp, *, max_in_flight: int, max_per_client: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.max_per_client = max_per_client
        self.in_flight = 0
        self.by_client: dict[bytes, int] = {}
        """Requests in flight per client; a client with none has no entry (bounded by in_flight)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(LIMITED_PATHS):
            await self.app(scope, receive, send)
            return
        client = client_key(scope)
        running = self.by_client.get(client, 0)
        if self.in_flight >= self.max_in_flight:
            REFUSED.labels("in_flight").inc()
            await self.refuse(
                503,
                f"The gateway is serving {self.in_flight} requests, its limit; retry shortly.",
                "SERVER_BUSY",
                scope,
                receive,
                send,
            )
            return
        if running >= self.max_per_client:
            REFUSED.labels("per_client").inc()
            await self.refuse(
                429,
                f"This client has {running} requests in flight, its limit; wait for one to finish.",
                "TOO_MANY_REQUESTS",
                scope,
                receive,
                send,
            )
            return
        self.in_flight += 1
        self.by_client[client] = running + 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            left = self.by_client[client] - 1
            if left:
                self.by_client[client] = left
            else:
                del self.by_client[client]

    @staticmethod
    async def refuse(
        status: int, message: str, code: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        response = error_response(
            status, message, code, headers={"retry-after": str(RETRY_AFTER_S)}
        )
        await response(scope, receive, send)
