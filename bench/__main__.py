"""``python -m bench``: the gateway against the floor, the peer, itself unbatched and generic.

Everything runs on 127.0.0.1: demo sources, servers under test and the load
driver, started and stopped by this one command, within a bounded time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import foreign
from bench.run import PROFILES, RESULTS, run, soak


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the Customer 360 gateway against a raw floor, GraphQL Mesh "
        "(the peer) and itself with batching off, then over the foreign world "
        "(python -m bench.foreign). Full run ≤ 13 minutes.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="shorter rows (≤ 2 minutes)")
    mode.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds, tiny load, no npm or wrk: proves the harness works (CI)",
    )
    mode.add_argument("--soak", action="store_true", help="only the soak (scenario g)")
    parser.add_argument("--soak-minutes", type=float, default=10.0, help="soak length (default 10)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="demo sources' latency")
    parser.add_argument("--no-peer", action="store_true", help="skip GraphQL Mesh (no npm)")
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=RESULTS,
        help="where the JSON and Markdown go (default bench/results)",
    )
    arguments = parser.parse_args(argv)
    if arguments.soak_minutes <= 0:
        parser.error("--soak-minutes must be > 0")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if arguments.soak:
        return soak(
            arguments.soak_minutes,
            latency_ms=arguments.latency_ms,
            results_dir=arguments.results_dir,
        )
    profile = PROFILES["smoke" if arguments.smoke else "quick" if arguments.quick else "full"]
    status = run(
        profile,
        latency_ms=arguments.latency_ms,
        results_dir=arguments.results_dir,
        with_peer=not arguments.no_peer,
    )
    if not arguments.smoke:  # the foreign world next to the demo (bench/foreign.py, issue 17)
        status |= foreign.run(
            foreign.PROFILES["quick" if arguments.quick else "full"],
            latency_ms=arguments.latency_ms,
            results_dir=arguments.results_dir,
            with_peer=not arguments.no_peer,
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
