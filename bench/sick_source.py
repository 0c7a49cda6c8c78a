"""A sick orders system for the attack scenario: the demo's answers, or sick ones on demand.

It stands between the gateway and the demo's orders source (``C360_SOURCE_URLS``
points ``orders`` here) and passes everything through, except ``/orders`` while
``mode`` says otherwise:

- ``huge``: the demo's answer for the asked emails, its records repeated to
  ``HUGE_BYTES`` (50 MB, about 125,000 records: issue 16's answer), valid JSON;
- ``large``: the same to ``LARGE_BYTES`` (7.5 MB), just under the default
  ``max_response_bytes``: read, parsed, mapped and completed in full;
- ``garbage``: a 200 whose body is an HTML error page, not JSON;
- ``unmappable``: valid JSON whose records do not fit the configured mapping
  (``lines`` is a string, ``total`` an object).

Each sick answer is built once per query string and then served from memory, so
the cost measured is the gateway's, not this proxy's.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from aiohttp import web

from bench.processes import free_port

HUGE_BYTES = 50_000_000
LARGE_BYTES = 7_500_000
MODES = ("huge", "large", "garbage", "unmappable")
GARBAGE = (
    b"<html><body><h1>502 Bad Gateway</h1>" + b"<p>upstream hiccup</p>" * 200 + b"</body></html>"
)


def inflated(answer: Any, size: int) -> tuple[bytes, int]:
    """``answer``'s records repeated until the JSON is ``size`` bytes; the body and record count."""
    records = answer["data"] if isinstance(answer, dict) else answer
    if not records:
        raise ValueError("the upstream answer has no records to repeat")
    one = (len(json.dumps(records).encode()) - 2) / len(records) + 2  # average, with ", "
    count = max(1, int(size // one))
    body = json.dumps({"data": [records[n % len(records)] for n in range(count)]}).encode()
    return body, count


def unmappable(answer: Any) -> bytes:
    records = answer["data"] if isinstance(answer, dict) else answer
    broken = [
        {**record, "lines": "see attachment", "total": {"amount": "lots"}} for record in records
    ]
    return json.dumps({"data": broken or [{"lines": "see attachment"}]}).encode()


class SickSource:
    """The proxy; ``mode`` (None: healthy) is set by the attack scenario between attacks."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.mode: str | None = None
        self.records: dict[tuple[str, str], int] = {}
        """Records in each ``huge`` or ``large`` answer built, by mode and query string."""
        self._built: dict[tuple[str, str], bytes] = {}
        self._session: aiohttp.ClientSession | None = None

    async def handle(self, request: web.Request) -> web.Response:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        async with self._session.get(
            self.upstream + request.path_qs, headers={"accept": "application/json"}
        ) as upstream:
            body = await upstream.read()
            status = upstream.status
            content_type = upstream.content_type
        mode = self.mode
        if mode is None or request.path != "/orders" or status != 200:
            return web.Response(body=body, status=status, content_type=content_type)
        key = (mode, request.query_string)
        sick = self._built.get(key)
        if sick is None:
            sick = self._built[key] = self._sick(mode, json.loads(body), request.query_string)
        return web.Response(body=sick, content_type="application/json")

    def _sick(self, mode: str, answer: Any, query: str) -> bytes:
        if mode in ("huge", "large"):
            body, self.records[(mode, query)] = inflated(
                answer, HUGE_BYTES if mode == "huge" else LARGE_BYTES
            )
            return body
        if mode == "garbage":
            return GARBAGE
        return unmappable(answer)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


async def start(upstream: str) -> tuple[SickSource, web.AppRunner, str]:
    """The proxy listening on 127.0.0.1 (a free port); its runner (to clean up) and base URL."""
    sick = SickSource(upstream)
    app = web.Application(client_max_size=1024**2)
    app.router.add_route("*", "/{tail:.*}", sick.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return sick, runner, f"http://127.0.0.1:{port}"
