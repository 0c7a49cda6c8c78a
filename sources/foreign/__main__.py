"""`python -m sources.foreign`: start the four foreign systems and serve until SIGINT/SIGTERM.

Prints one JSON line `{"ready": true, "urls": {...}}` once every system
listens, so a parent process (tests, `c360 sources --world foreign`) can wait
for it. Point a gateway at them with
`C360_SOURCES_FILE=sources/foreign/sources.yaml c360 serve`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import date

from sources.foreign import DEFAULT_BASE_PORT, SYSTEMS
from sources.foreign.cluster import start_foreign_sources


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sources.foreign",
        description="Run the four foreign source systems (a second demo world).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument(
        "--base-port",
        type=int,
        default=DEFAULT_BASE_PORT,
        help="port of crm; the others follow in order " + ", ".join(SYSTEMS),
    )
    parser.add_argument("--ephemeral", action="store_true", help="bind free ports instead")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every request")
    parser.add_argument(
        "--failure-rate", type=float, default=0.0, help="fraction of requests answering 503 (0..1)"
    )
    parser.add_argument("--seed", type=int, default=917)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="reference day YYYY-MM-DD"
    )
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when standard input closes (the parent that started us has gone)",
    )
    arguments = parser.parse_args(argv)
    if arguments.latency_ms < 0:
        parser.error("--latency-ms must be >= 0")
    if not 0 <= arguments.failure_rate <= 1:
        parser.error("--failure-rate must be between 0 and 1")
    if arguments.customers < 1:
        parser.error("--customers must be >= 1")
    return arguments


async def serve(arguments: argparse.Namespace) -> None:
    """Start the systems, announce them, and block until a stop signal arrives."""
    if arguments.ephemeral:
        ports = dict.fromkeys(SYSTEMS, 0)
    else:
        ports = {system: arguments.base_port + offset for offset, system in enumerate(SYSTEMS)}
    cluster = await start_foreign_sources(
        host=arguments.host,
        ports=ports,
        latency_ms=arguments.latency_ms,
        failure_rate=arguments.failure_rate,
        seed=arguments.seed,
        customers=arguments.customers,
        today=arguments.today,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop_signal, stop.set)
    if arguments.exit_with_parent:
        threading.Thread(target=_wait_for_eof, args=(loop, stop), daemon=True).start()
    try:
        sys.stdout.write(json.dumps({"ready": True, "urls": cluster.urls}) + "\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await cluster.close()


def _wait_for_eof(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    sys.stdin.read()
    loop.call_soon_threadsafe(stop.set)


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the process exit code."""
    arguments = parse_arguments(argv)
    try:
        asyncio.run(serve(arguments))
    except OSError as problem:
        print(f"foreign sources could not start: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
