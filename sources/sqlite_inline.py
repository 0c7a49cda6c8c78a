"""SQLite reads on the event loop itself, for the statements quick enough not to stall it.

A lookup by an indexed key takes SQLite tens of microseconds; sending it to
aiosqlite's thread costs more than that twice over (the thread and then the
event loop woken, a switch each way on a gateway pinned to one core). So a
statement is first run here, on a connection of its own, within a slice of
``INLINE_SLICE_S``: SQLite's progress handler interrupts it past that, a busy
database refuses it at once (no busy wait), and then the caller sends it to the
thread as before. Any error does the same: the thread's path says what it is.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import StaticPool

INLINE_SLICE_S = 0.002
"""The longest a statement may hold the event loop (about what parsing a 256 KB answer takes)."""

INLINE_MAX_KEYS = 8
"""Batches of more keys go to the thread: one customer's invoices read in 30 us, fifty
customers' (351 rows) in 1.7 ms, near the slice, where an interrupted read is done twice."""

PROGRESS_EVERY = 1_000
"""SQLite virtual machine steps between two looks at the clock (a few microseconds apart)."""

Rows = tuple[list[str], list[Any]]
"""Column labels and rows (tuples) of one statement."""


class InlineReader:
    """One connection of the gateway's own to a SQLite file, read on the event loop thread."""

    def __init__(self, engine: AsyncEngine, recycle_s: float) -> None:
        self._engine = engine
        self._recycle_s = recycle_s
        self._connection: sqlite3.Connection | None = None
        self._opened_at = 0.0
        self._deadline = 0.0
        self.usable = _on_a_file(engine)
        """False for an in-memory database: a connection of its own would see another one."""

    def read(self, sql: str, values: Sequence[Any], max_rows: int) -> Rows | None:
        """Up to ``max_rows + 1`` rows, or None: the statement was not read here (see module)."""
        now = time.perf_counter()
        connection = self._connection
        if connection is None or now - self._opened_at > self._recycle_s:
            connection = self._connect(now)
            if connection is None:
                return None
        self._deadline = now + INLINE_SLICE_S
        try:
            cursor = connection.execute(sql, values)
            try:
                rows = cursor.fetchmany(max_rows + 1)
                described = cursor.description
            finally:
                cursor.close()
        except sqlite3.Error:
            return None
        return [column[0] for column in described or ()], rows

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _connect(self, now: float) -> sqlite3.Connection | None:
        """A new connection (the old one closed), as old as the pool lets its own get."""
        self.close()
        if not self.usable:
            return None
        dialect = self._engine.dialect
        args, options = dialect.create_connect_args(self._engine.url)
        connect: Callable[..., sqlite3.Connection] = sqlite3.connect
        try:
            # No busy timeout: a locked database is left to the thread, which may wait for it.
            connection = connect(*args, **{**options, "timeout": 0})
        except sqlite3.Error:
            return None
        connection.isolation_level = None  # autocommit reads, as the engine's connections
        connection.set_progress_handler(self._over_slice, PROGRESS_EVERY)
        self._connection, self._opened_at = connection, now
        return connection

    def _over_slice(self) -> bool:
        return time.perf_counter() > self._deadline


def _on_a_file(engine: AsyncEngine) -> bool:
    if engine.dialect.name != "sqlite" or isinstance(engine.pool, StaticPool):
        return False
    args, _ = engine.dialect.create_connect_args(engine.url)
    database = str(args[0]) if args else ":memory:"
    return database != ":memory:" and "mode=memory" not in database
