"""CPU per request of the gateway and of the floor, in process, over the real demo sources.

Answers "where does the gateway's CPU per agent view (or 50-customer list) go,
next to the floor's": the demo sources run as their own process (over HTTP, as
in the full benchmark), and the gateway's app (``gateway.asgi``, every setting
from the environment as in production) and the floor's (``bench.floor``) are
called in this process through ASGI, without uvicorn's HTTP parsing, so that
``time.process_time`` counts only their own work. Requests are sent by a few
concurrent callers cycling over the benchmark's workload (64 phones, 16 lists
of 50 ids): no hot key.

Run: ``python -m bench.gateway_cpu [--rounds N] [--ops N] [--concurrency N]
[--only agent|list|list-parts] [--profile c360|floor] [--count]``. Prints CPU
microseconds per request, the best round and the median, rows interleaved so
that a busy moment of the shared machine hits both alike, and the gateway's
figure as a ratio of the floor's. ``--profile`` prints the top of a cProfile of
the named app instead, ``--count`` the Python function calls per request of each
(steady under load), ``--only list-parts`` the gateway's list built up one list
field at a time. Not asserted anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette

from bench.processes import start_sources
from bench.scenarios import SUMMARY_QUERY
from bench.workload import CUSTOMERS, Workload, build_workload

Call = Callable[[], Awaitable[None]]

LIST_QUERY = SUMMARY_QUERY
"""The full benchmark's scenario c query: the fields the floor's /customers/summary answers."""

LIST_PARTS = {
    "ids+name": "id name",
    "+orders": "id name orders { id placedAt total status }",
    "+invoices": "id name orders { id placedAt total status } invoices { id amount status }",
    "+tickets": "id name orders { id placedAt total status } invoices { id amount status } "
    "tickets { id subject status }",
}
"""``--only list-parts``: scenario c's list built up one list field at a time (gateway only),
so that each kind of record's cost per 50 customers (its source, mapping, loads ahead,
resolvers and completion) shows as the step from the row above."""


async def asgi_call(
    app: Starlette, method: str, path: str, query: str = "", body: bytes = b""
) -> tuple[int, bytes]:
    """One request through the app's ASGI interface: status and body."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # the client never disconnects
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 0
    chunks: list[bytes] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def requests(app: Starlette, kind: str, what: str, workload: Workload) -> list[Call]:
    """The calls one app answers for ``what`` (agent or list), one per workload input."""
    calls: list[Call] = []
    if what == "agent":
        for phone in workload.phones:
            calls.append(_checked(app, "GET", "/views/agent", f"phone={quote(phone)}"))
        return calls
    for ids in workload.lists_50:
        if kind == "floor":
            body = json.dumps({"ids": list(ids)}).encode()
            calls.append(_checked(app, "POST", "/customers/summary", body=body))
        else:
            calls.append(_checked(app, "POST", "/graphql", body=_graphql_body(LIST_QUERY, ids)))
    return calls


def _checked(app: Starlette, method: str, path: str, query: str = "", body: bytes = b"") -> Call:
    async def call() -> None:
        status, answer = await asgi_call(app, method, path, query, body)
        if status != 200 or b'"errors"' in answer:
            raise RuntimeError(f"{path}: {status} {answer[:300]!r}")

    return call


async def measure(calls: list[Call], ops: int, concurrency: int) -> float:
    """CPU µs per request over ``ops`` requests sent by ``concurrency`` callers."""
    queue = iter(range(ops))

    async def caller() -> None:
        for index in queue:
            await calls[index % len(calls)]()

    started = time.process_time_ns()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return (time.process_time_ns() - started) / ops / 1000


async def main(args: argparse.Namespace) -> None:
    log_dir = Path(tempfile.mkdtemp(prefix="c360-gateway-cpu-"))
    sources, urls = start_sources(args.latency_ms, CUSTOMERS, log_dir)
    try:
        os.environ["C360_SOURCE_URLS"] = json.dumps(urls)
        os.environ.setdefault("C360_LOG_LEVEL", "warning")
        os.environ["BENCH_SOURCE_URLS"] = json.dumps(urls)
        from bench.floor import create_app as floor_app
        from gateway.asgi import create_app as gateway_app

        apps = {"floor": floor_app(), "c360": gateway_app()}
        workload = build_workload()
        async with AsyncExitStack() as stack:
            for app in apps.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
            if args.only == "list-parts":
                await _list_parts(apps["c360"], workload, args)
                return
            whats = [args.only] if args.only else ["agent", "list"]
            for what in whats:
                calls = {kind: requests(app, kind, what, workload) for kind, app in apps.items()}
                ops = args.ops if what == "agent" else max(1, args.ops // 10)
                for kind_calls in calls.values():
                    await measure(kind_calls, ops, args.concurrency)  # warm up
                if args.profile:
                    await _profile(calls[args.profile], ops, args)
                    continue
                if args.count:
                    for kind, kind_calls in calls.items():
                        counted = await _calls_per_request(kind_calls, ops, args.concurrency)
                        print(
                            f"{what:<6} c={args.concurrency} {kind:<6} {counted:7.0f} calls/request"
                        )
                    continue
                figures: dict[str, list[float]] = {kind: [] for kind in calls}
                for _ in range(args.rounds):
                    for kind, kind_calls in calls.items():
                        figures[kind].append(await measure(kind_calls, ops, args.concurrency))
                best = {kind: min(values) for kind, values in figures.items()}
                for kind, values in figures.items():
                    print(
                        f"{what:<6} c={args.concurrency} {kind:<6} CPU µs/request "
                        f"best {best[kind]:7.0f} / median {statistics.median(values):7.0f}"
                    )
                print(f"{what:<6} c360 / floor (best): {best['c360'] / best['floor']:.2f}x")
    finally:
        sources.stop()


async def _list_parts(app: Starlette, workload: Workload, args: argparse.Namespace) -> None:
    ops = max(1, args.ops // 10)
    calls: dict[str, list[Call]] = {}
    for part, fields in LIST_PARTS.items():
        query = f"query Part($ids: [ID!]!) {{ customers(ids: $ids) {{ {fields} }} }}"
        calls[part] = [
            _checked(app, "POST", "/graphql", body=_graphql_body(query, ids))
            for ids in workload.lists_50
        ]
        await measure(calls[part], ops, args.concurrency)  # warm up
    figures: dict[str, list[float]] = {part: [] for part in calls}
    for _ in range(args.rounds):
        for part, part_calls in calls.items():
            figures[part].append(await measure(part_calls, ops, args.concurrency))
    before = 0.0
    for part, values in figures.items():
        best = min(values)
        print(
            f"list   c={args.concurrency} {part:<10} CPU µs/request best {best:7.0f} "
            f"(step {best - before:+7.0f}) / median {statistics.median(values):7.0f}"
        )
        before = best


def _graphql_body(query: str, ids: tuple[str, ...] | list[str]) -> bytes:
    return json.dumps({"query": query, "variables": {"ids": list(ids)}}).encode()


async def _calls_per_request(calls: list[Call], ops: int, concurrency: int) -> float:
    """Python function calls per request (cProfile's count): steadier than CPU on a busy machine."""
    profiler = cProfile.Profile()
    profiler.enable()
    await measure(calls, ops, concurrency)
    profiler.disable()
    stats = pstats.Stats(profiler)
    return float(stats.total_calls) / ops  # type: ignore[attr-defined]


async def _profile(calls: list[Call], ops: int, args: argparse.Namespace) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    await measure(calls, ops, args.concurrency)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if args.dump:
        stats.dump_stats(args.dump)
    stats.sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ops", type=int, default=300, help="agent views per round (lists: /10)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=5.0, help="demo sources' latency")
    parser.add_argument(
        "--only",
        choices=["agent", "list", "list-parts"],
        help="list-parts: the gateway's list one list field at a time (no floor)",
    )
    parser.add_argument("--profile", choices=["c360", "floor"])
    parser.add_argument(
        "--count", action="store_true", help="print Python function calls per request instead"
    )
    parser.add_argument("--sort", default="tottime", help="cProfile sort key (tottime, cumulative)")
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--dump", help="also write the cProfile statistics to this file")
    asyncio.run(main(parser.parse_args()))
