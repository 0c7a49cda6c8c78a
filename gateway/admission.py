"""Admission: how many GraphQL requests run at once, in all and per client.

One client opening hundreds of connections must not starve everyone else, and
a burst beyond what the process can serve within the deadline is better
refused at once than queued into timeouts. A pure ASGI middleware in front of
``/graphql`` and ``/views/`` counts requests in flight: over
``max_per_client`` for one client (keyed by its ``Authorization`` credential,
else its address) the answer is 429, over ``max_in_flight`` in all it is 503,
both with ``Retry-After`` and a GraphQL error body, before the body is read.
Health, readiness and metrics are never refused.

Behind a load balancer every request comes from the balancer's address: with
``trusted_proxies`` (off by default) a request from one of them is keyed by the
address its ``X-Forwarded-For`` names, the right-most one that is not itself a
trusted proxy. Never from other peers: anyone can write that header.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

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


Network = IPv4Network | IPv6Network


def client_key(scope: Scope, trusted_proxies: Sequence[Network] = ()) -> bytes:
    """Who a request counts against: a digest of its credential, else its address."""
    forwarded: bytes | None = None
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return b"c" + hashlib.blake2b(value, digest_size=16).digest()
        if name == b"x-forwarded-for":
            forwarded = value if forwarded is None else forwarded + b"," + value
    client = scope.get("client")
    address = client[0] if client else "?"
    if trusted_proxies and forwarded is not None and _trusted(address, trusted_proxies):
        address = forwarded_client(forwarded.decode("latin-1"), trusted_proxies) or address
    return b"a" + address.encode()


def forwarded_client(header: str, trusted_proxies: Sequence[Network]) -> str | None:
    """The right-most address of ``X-Forwarded-For`` that is not a trusted proxy.

    Entries left of it were written by the client itself and prove nothing;
    one that is not an address at all ends the search (None: key by the peer).
    """
    for entry in reversed(header.split(",")):
        entry = entry.strip()
        if not _is_address(entry):
            return None
        if not _trusted(entry, trusted_proxies):
            return entry
    return None


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _trusted(address: str, trusted_proxies: Sequence[Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted_proxies)


class Admission:
    """Refuses GraphQL requests beyond ``max_in_flight`` (503) or ``max_per_client`` (429)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        max_per_client: int,
        trusted_proxies: Sequence[Network] = (),
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.max_per_client = max_per_client
        self.trusted_proxies = tuple(trusted_proxies)
        self.in_flight = 0
        self.by_client: dict[bytes, int] = {}
        """Requests in flight per client; a client with none has no entry (bounded by in_flight)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(LIMITED_PATHS):
            await self.app(scope, receive, send)
            return
        client = client_key(scope, self.trusted_proxies)
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
