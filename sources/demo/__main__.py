"""`python -m sources.demo`: start all eleven demo systems and serve until SIGINT/SIGTERM.

Prints one JSON line `{"ready": true, "urls": {...}, "dsns": {"ledger": ...}}` once
every system is listening and the ledger database is written, so a parent process
(tests, benchmarks, `c360 sources`) can wait for it. The flags, the ready line and
the exit codes are the process shell's (sources/demo/process_shell.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sources.demo import DEFAULT_BASE_PORT, SYSTEMS, process_shell
from sources.demo.cluster import start_demo_sources
from sources.demo.ledger import DEFAULT_DSN as LEDGER_DSN


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = process_shell.world_parser(
        prog="python -m sources.demo",
        description=f"Run the {len(SYSTEMS)} demo REST systems and the SQL ledger.",
        systems=SYSTEMS,
        base_port=DEFAULT_BASE_PORT,
        seed=360,
        customers=1000,
        today_help="reference day YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument(
        "--ledger-dsn",
        default=None,
        help="where to write the legacy ledger (SQLAlchemy async URL, e.g. "
        "postgresql+asyncpg://user@host/db; default: a SQLite file, "
        f"{LEDGER_DSN} on the default ports, a temporary one with --ephemeral)",
    )
    return process_shell.parse_world_arguments(parser, argv)


async def serve(arguments: argparse.Namespace) -> None:
    """Start the cluster, announce it, and block until a stop signal arrives."""
    cluster = await start_demo_sources(
        **process_shell.world_options(arguments, SYSTEMS),
        # Ephemeral demos (tests) each get their own temporary ledger; the fixed
        # ports go with the fixed path sources.yaml expects by default.
        ledger_dsn=arguments.ledger_dsn or (None if arguments.ephemeral else LEDGER_DSN),
    )
    announce = {"urls": cluster.urls, "dsns": cluster.dsns}
    await process_shell.serve_until_stopped(
        cluster, announce, exit_with_parent=arguments.exit_with_parent
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point; returns the process exit code."""
    return process_shell.run_world(serve(parse_arguments(argv)), "demo")


if __name__ == "__main__":
    sys.exit(main())
