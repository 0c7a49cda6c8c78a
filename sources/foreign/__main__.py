"""`python -m sources.foreign`: start the four foreign systems and serve until SIGINT/SIGTERM.

Prints one JSON line `{"ready": true, "urls": {...}}` once every system
listens, so a parent process (tests, `c360 sources --world foreign`) can wait
for it. Point a gateway at them with
`C360_SOURCES_FILE=sources/foreign/sources.yaml c360 serve`. The flags, the
ready line and the exit codes are the demo's process shell
(sources/demo/process_shell.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sources.demo import process_shell
from sources.foreign import DEFAULT_BASE_PORT, SYSTEMS
from sources.foreign.cluster import start_foreign_sources


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = process_shell.world_parser(
        prog="python -m sources.foreign",
        description="Run the four foreign source systems (a second demo world).",
        systems=SYSTEMS,
        base_port=DEFAULT_BASE_PORT,
        seed=917,
        customers=200,
        today_help="reference day YYYY-MM-DD",
    )
    arguments = process_shell.parse_world_arguments(parser, argv)
    if arguments.customers < 1:
        parser.error("--customers must be >= 1")
    return arguments


async def serve(arguments: argparse.Namespace) -> None:
    """Start the systems, announce them, and block until a stop signal arrives."""
    cluster = await start_foreign_sources(**process_shell.world_options(arguments, SYSTEMS))
    announce = {"urls": cluster.urls}
    await process_shell.serve_until_stopped(
        cluster, announce, exit_with_parent=arguments.exit_with_parent
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the process exit code."""
    return process_shell.run_world(serve(parse_arguments(argv)), "foreign")


if __name__ == "__main__":
    sys.exit(main())
