"""HTTP helpers for the protocol tests: every call bounded in time, 127.0.0.1 only.

``Reply`` keeps status, headers and the decoded body together, so a test can
assert all three; ``raw_exchange`` speaks HTTP/1.1 on a bare socket for what
aiohttp will not send (lying Content-Length, trickled bodies).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson

TIMEOUT = aiohttp.ClientTimeout(total=15)
NORMAL_QUERY = '{ customer(id: "C-10001") { id name } }'


@dataclass(slots=True, frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: Any
    seconds: float

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()

    @property
    def message(self) -> str:
        """All error messages, joined, for ``in`` assertions."""
        return " | ".join(e["message"] for e in self.body.get("errors", []))

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.body.get("errors", [])]


async def request(
    url: str,
    method: str = "POST",
    *,
    data: bytes | None = None,
    json: Any = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> Reply:
    """One request to ``url + /graphql``; the body is decoded as JSON whatever its type says."""
    sent_headers = {"content-type": "application/json", **(headers or {})}
    if json is not None:
        data = orjson.dumps(json)
    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.request(
            method, url + "/graphql", data=data, headers=sent_headers, params=params
        ) as resp:
            raw = await resp.read()
            reply_headers = {k.lower(): v for k, v in resp.headers.items()}
    body = orjson.loads(raw) if raw else None
    return Reply(resp.status, reply_headers, body, time.perf_counter() - started)


async def fetch_page(url: str, accept: str = "text/html") -> tuple[int, str, str]:
    """GET ``/graphql`` as a browser would: status, content type, text."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.get(url + "/graphql", headers={"accept": accept}) as resp:
            return resp.status, resp.content_type, await resp.text()


async def post_query(url: str, query: str, variables: Any = None, **kwargs: Any) -> Reply:
    return await request(url, json={"query": query, "variables": variables}, **kwargs)


async def assert_still_serving(url: str) -> None:
    """After a hostile request, an ordinary one is still answered in full."""
    reply = await post_query(url, NORMAL_QUERY)
    assert reply.status == 200, reply.body
    assert reply.body["data"]["customer"]["id"] == "C-10001"


class ResponseCollector(asyncio.Protocol):
    """Keeps every byte the server sends, even when a reset follows (a ``StreamReader``
    drops its buffer once the connection fails)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self.data += data

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def raw_exchange(url: str, head: bytes, body_parts: list[bytes], pause_s: float = 0) -> Reply:
    """Send ``head`` then the body parts (``pause_s`` apart) on a bare socket, and read the answer.

    The server may answer and hang up before the body is complete: sending
    stops as soon as the first byte of an answer is in.
    """
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1" and parts.port, url  # local traffic only
    loop = asyncio.get_running_loop()
    transport, collector = await loop.create_connection(
        ResponseCollector, parts.hostname, parts.port
    )
    started = time.perf_counter()
    transport.write(head)
    for part in body_parts:
        await asyncio.sleep(pause_s)
        if collector.data or transport.is_closing():
            break
        transport.write(part)
    await asyncio.wait_for(collector.closed, timeout=15)
    transport.close()
    return parse_http_response(bytes(collector.data), time.perf_counter() - started)


def parse_http_response(raw: bytes, seconds: float) -> Reply:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Reply(
        int(status_line.split()[1]), headers, orjson.loads(body) if body else None, seconds
    )
