"""``python -m bench.demo_world``: how long the demo takes to build its world and its ledger.

The demo generates its customers and writes the legacy ledger at every start
(tests start it many times), so these figures say what a start costs. They are
printed, never asserted: the tests pin what the world contains, not how fast a
given machine builds it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sources.demo.data import generate
from sources.demo.ledger import write_ledger

DAY = date(2026, 11, 27)
"""A fixed day, so that every run builds the same world."""


def _median_ms(repeats: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def generating_ms(customers: int, repeats: int) -> float:
    """Median time to generate a world of ``customers`` people, in milliseconds."""
    return _median_ms(repeats, lambda: generate(customers=customers, today=DAY))


def ledger_writing_ms(customers: int, repeats: int) -> tuple[int, float]:
    """Rows in the ledger of ``customers`` people and the median time to write it to SQLite."""
    rows = generate(customers=customers, today=DAY).ledger_invoices

    async def write_once(directory: Path) -> None:
        ledger = await write_ledger(rows, f"sqlite+aiosqlite:///{directory}/ledger.db")
        await ledger.close()

    def step() -> None:
        with tempfile.TemporaryDirectory(prefix="c360-bench-ledger-") as directory:
            asyncio.run(write_once(Path(directory)))

    return len(rows), _median_ms(repeats, step)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.demo_world", description=__doc__)
    parser.add_argument("--customers", type=int, default=1000, help="world size (default 1000)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per figure (default 5)")
    arguments = parser.parse_args(argv)
    customers, repeats = arguments.customers, arguments.repeats
    print(f"demo world of {customers} customers, median of {repeats} runs:")
    print(f"  {'generate the world':<44}{generating_ms(customers, repeats):8.1f} ms")
    rows, writing = ledger_writing_ms(customers, repeats)
    print(f"  {f'write the ledger ({rows} rows, SQLite, indexed)':<44}{writing:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
