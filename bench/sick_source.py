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

It runs as a process of its own (``python -m bench.sick_source --port N
--upstream URL``; ``--ephemeral`` takes any free port, as the demo worlds do, and
its one ready line ``{"ready": true, "urls": {"orders": ...}}`` names it), so
that serving 50 MB does not stall the process that times the gateway. The
attack scenario switches its mode over HTTP: ``POST /_sick/mode`` with
``{"mode": "large"}`` (one of ``MODES``, or ``null``: healthy) answers the mode
now in force, ``GET /_sick/mode`` reads it, ``GET /_sick/records`` lists the
records in each large answer built.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.processes import Server, start_world
from sources.demo.process_shell import run_world, serve_until_stopped

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
    """The proxy; ``mode`` (None: healthy) is switched by the attack scenario between attacks."""

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

    async def switch(self, request: web.Request) -> web.Response:
        """``POST /_sick/mode``: ``{"mode": one of MODES or null}``; 400 for anything else."""
        try:
            asked = await request.json()
        except ValueError:
            asked = None
        mode = asked.get("mode", "(missing)") if isinstance(asked, dict) else "(missing)"
        if mode is not None and mode not in MODES:
            return web.json_response(
                {"error": f"mode must be one of {', '.join(MODES)} or null"}, status=400
            )
        self.mode = mode
        return await self.show_mode(request)

    async def show_mode(self, _: web.Request) -> web.Response:
        return web.json_response({"mode": self.mode})

    async def show_records(self, _: web.Request) -> web.Response:
        built = [
            {"mode": mode, "query": query, "records": count}
            for (mode, query), count in self.records.items()
        ]
        return web.json_response({"records": built})

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def create_app(sick: SickSource) -> web.Application:
    app = web.Application(client_max_size=1024**2)
    app.router.add_post("/_sick/mode", sick.switch)
    app.router.add_get("/_sick/mode", sick.show_mode)
    app.router.add_get("/_sick/records", sick.show_records)
    app.router.add_route("*", "/{tail:.*}", sick.handle)
    return app


class Serving:
    """The listening proxy, closed by ``serve_until_stopped`` when the process is told to stop."""

    def __init__(self, sick: SickSource, runner: web.AppRunner) -> None:
        self.sick = sick
        self.runner = runner

    async def close(self) -> None:
        await self.sick.close()
        await self.runner.cleanup()


async def serve(upstream: str, port: int, *, exit_with_parent: bool) -> None:
    sick = SickSource(upstream)
    runner = web.AppRunner(create_app(sick), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    host, bound = runner.addresses[0][:2]
    announce = {"urls": {"orders": f"http://{host}:{bound}"}}
    await serve_until_stopped(Serving(sick, runner), announce, exit_with_parent=exit_with_parent)


def start_process(upstream: str, log_dir: Path) -> tuple[Server, str]:
    """The sick source as a process of its own on the driver's core, any free port; its URL."""
    server, urls = start_world(
        "sick-orders", "bench.sick_source", ["--upstream", upstream], log_dir
    )
    server.url = urls["orders"]
    return server, server.url


async def switch(session: aiohttp.ClientSession, url: str, mode: str | None) -> None:
    """Put the sick source at ``url`` in ``mode`` (None: healthy)."""
    async with session.post(url + "/_sick/mode", json={"mode": mode}) as resp:
        resp.raise_for_status()


async def records_built(session: aiohttp.ClientSession, url: str) -> dict[str, int]:
    """The most records in any large answer built so far, by mode."""
    async with session.get(url + "/_sick/records") as resp:
        built = (await resp.json())["records"]
    most: dict[str, int] = {}
    for entry in built:
        most[entry["mode"]] = max(most.get(entry["mode"], 0), int(entry["records"]))
    return most


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="The demo orders source's base URL.")
    parser.add_argument("--port", type=int, default=0, help="Port on 127.0.0.1 (0: any free).")
    parser.add_argument("--ephemeral", action="store_true", help="Any free port (as --port 0).")
    parser.add_argument(
        "--exit-with-parent", action="store_true", help="Stop when standard input closes."
    )
    arguments = parser.parse_args()
    port = 0 if arguments.ephemeral else arguments.port
    serving = serve(arguments.upstream, port, exit_with_parent=arguments.exit_with_parent)
    return run_world(serving, "sick orders")


if __name__ == "__main__":
    raise SystemExit(main())
