"""The process shell both demo worlds run in: `python -m sources.demo` and `sources.foreign`.

A world's `__main__` supplies only what is its own (which systems, their default
seed and size, extra flags such as the demo's `--ledger-dsn`, how to start them);
this module gives both the same command line, the same ready line and the same
way of stopping, which the parents that start them (tests, benchmarks,
`c360 sources`) depend on. What callers may rely on:

- `world_parser` adds, in this order, `--host`, `--base-port`, `--ephemeral`,
  `--latency-ms`, `--failure-rate`, `--seed`, `--customers` and `--today`; the
  caller adds its own flags, then `parse_world_arguments` adds
  `--exit-with-parent`, parses and rejects (exit 2) a `--failure-rate` outside
  0..1, then a negative `--latency-ms`.
- `world_options` are the keyword arguments both worlds' start functions take:
  every system on port 0 (any free port) with `--ephemeral`, else `--base-port`
  and the ones after it in `systems` order.
- `serve_until_stopped` writes exactly one line to stdout, the JSON object
  `{"ready": true, ...}` with the caller's keys after `ready`, flushed, after the
  systems are running; then it blocks until SIGINT or SIGTERM (or, with
  `exit_with_parent`, end of standard input) and always closes the systems,
  whether it stops normally, is cancelled or fails.
- `run_world` returns the exit code: 0 after a stop, 1 when the systems could
  not start for an OSError (a port taken, an address not available), after one
  line `<world> sources could not start: <reason>` on stderr. Any other
  exception propagates.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import threading
from collections.abc import Coroutine, Sequence
from datetime import date
from typing import Any, Protocol, TypedDict

from sources.demo.cluster import consecutive_ports


class Closable(Protocol):
    """Running systems: what `serve_until_stopped` stops on the way out."""

    async def close(self) -> None: ...


def world_parser(
    *,
    prog: str,
    description: str,
    systems: Sequence[str],
    base_port: int,
    seed: int,
    customers: int,
    today_help: str,
) -> argparse.ArgumentParser:
    """The flags every world takes, with the world's own defaults."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument(
        "--base-port",
        type=int,
        default=base_port,
        help="port of crm; the others follow in order " + ", ".join(systems),
    )
    parser.add_argument("--ephemeral", action="store_true", help="bind free ports instead")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    parser.add_argument(
        "--failure-rate", type=float, default=0.0, help="fraction of requests answering 503 (0..1)"
    )
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--customers", type=int, default=customers)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help=today_help)
    return parser


def parse_world_arguments(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None
) -> argparse.Namespace:
    """Add `--exit-with-parent` (last among the flags), parse `argv` and check the knobs."""
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when standard input closes (the parent that started us has gone)",
    )
    arguments = parser.parse_args(argv)
    if not 0 <= arguments.failure_rate <= 1:
        parser.error("--failure-rate must be between 0 and 1")
    if arguments.latency_ms < 0:
        parser.error("--latency-ms must be >= 0")
    return arguments


class WorldOptions(TypedDict):
    """What `start_demo_sources` and `start_foreign_sources` both take."""

    host: str
    ports: dict[str, int]
    latency_ms: float
    failure_rate: float
    seed: int
    customers: int
    today: date | None


def world_options(arguments: argparse.Namespace, systems: Sequence[str]) -> WorldOptions:
    """The start function's keyword arguments from the parsed flags."""
    if arguments.ephemeral:
        ports = dict.fromkeys(systems, 0)
    else:
        ports = consecutive_ports(systems, arguments.base_port)
    return WorldOptions(
        host=arguments.host,
        ports=ports,
        latency_ms=arguments.latency_ms,
        failure_rate=arguments.failure_rate,
        seed=arguments.seed,
        customers=arguments.customers,
        today=arguments.today,
    )


async def serve_until_stopped(
    running: Closable, announce: dict[str, Any], *, exit_with_parent: bool
) -> None:
    """Announce `running` with `{"ready": true, **announce}` and block until a stop arrives."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, stop.set)
    if exit_with_parent:
        # A parent killed without cleanup (SIGKILL, or uvicorn re-raising SIGTERM)
        # closes our stdin; that must not leave orphaned systems listening.
        threading.Thread(target=_wait_for_eof, args=(loop, stop), daemon=True).start()
    try:
        sys.stdout.write(json.dumps({"ready": True, **announce}) + "\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await running.close()


def _wait_for_eof(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    sys.stdin.read()
    loop.call_soon_threadsafe(stop.set)


def run_world(serving: Coroutine[Any, Any, None], world: str) -> int:
    """Run `serving` to its end in a new event loop; the process exit code."""
    try:
        asyncio.run(serving)
    except OSError as problem:
        print(f"{world} sources could not start: {problem}", file=sys.stderr)
        return 1
    return 0
