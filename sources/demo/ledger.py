"""The demo's legacy ledger: a SQL database of pre-cut-over invoices, written at demo start.

SQLite by default (nothing to install); any ``postgresql+asyncpg://`` DSN works
too. The gateway reads it only through ``sources/demo/sources.yaml``, exactly as
it would read a foreign database.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

SYSTEM = "ledger"
TABLE = "ledger_invoices"
DEFAULT_DSN = "sqlite+aiosqlite:////tmp/c360-demo-ledger.db"
"""Where the demo on its default ports writes the ledger; sources.yaml's default DSN."""
COLUMNS = (
    "doc_no",
    "account_ref",
    "customer_email",
    "doc_date",
    "due_date",
    "gross_amount",
    "paid_amount",
    "doc_status",
    "currency_code",
    "doc_type",
)
CREATE_TABLE = f"""
CREATE TABLE {TABLE} (
    doc_no VARCHAR(20) PRIMARY KEY,
    account_ref VARCHAR(20) NOT NULL,
    customer_email VARCHAR(320) NOT NULL,
    doc_date DATE NOT NULL,
    due_date DATE NOT NULL,
    gross_amount NUMERIC(12, 2) NOT NULL,
    paid_amount NUMERIC(12, 2) NOT NULL,
    doc_status VARCHAR(10) NOT NULL,
    currency_code CHAR(3) NOT NULL,
    doc_type VARCHAR(12) NOT NULL
)"""
# The lookup is ``lower(customer_email) IN :keys``; this index is what keeps it a seek.
CREATE_INDEX = f"CREATE INDEX {TABLE}_email ON {TABLE} (lower(customer_email))"
INSERT = (
    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join(':' + column for column in COLUMNS)})"
)

JsonRecord = dict[str, Any]


@dataclass(slots=True)
class LedgerDatabase:
    """A written ledger: its DSN, and what to remove when the demo stops."""

    dsn: str
    _temporary_dir: Path | None = None

    async def close(self) -> None:
        """Remove a temporary SQLite file, or drop the table written into a given database."""
        if self._temporary_dir is not None:
            shutil.rmtree(self._temporary_dir, ignore_errors=True)
            self._temporary_dir = None
            return
        url = make_url(self.dsn)
        if url.get_backend_name() == "sqlite" and url.database:
            with contextlib.closing(sqlite3.connect(url.database)) as connection, connection:
                connection.execute(f"DROP TABLE IF EXISTS {TABLE}")
            return
        engine = create_async_engine(self.dsn)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        finally:
            await engine.dispose()


async def write_ledger(rows: list[JsonRecord], dsn: str | None = None) -> LedgerDatabase:
    """Create the ledger table with ``rows`` (replacing an earlier one) and its email index.

    Without ``dsn``, a fresh SQLite file in a new temporary directory (so that
    parallel demos, as tests start them, never share one).
    """
    if dsn is None:
        directory = Path(tempfile.mkdtemp(prefix="c360-ledger-"))
        path = directory / "ledger.db"
        _write_sqlite(path, rows)
        return LedgerDatabase(f"sqlite+aiosqlite:///{path}", directory)
    url = make_url(dsn)
    if url.get_backend_name() == "sqlite" and url.database:
        path = Path(url.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_sqlite(path, rows)
    else:
        await _write_postgresql(dsn, rows)
    return LedgerDatabase(dsn)


def _write_sqlite(path: Path, rows: list[JsonRecord]) -> None:
    # The stdlib driver: one executemany in one transaction is a few milliseconds.
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(f"DROP TABLE IF EXISTS {TABLE}")
        connection.execute(CREATE_TABLE)
        connection.executemany(INSERT, rows)
        connection.execute(CREATE_INDEX)


async def _write_postgresql(dsn: str, rows: list[JsonRecord]) -> None:
    typed = [
        {
            **row,
            "doc_date": date.fromisoformat(row["doc_date"]),
            "due_date": date.fromisoformat(row["due_date"]),
            "gross_amount": Decimal(str(row["gross_amount"])),
            "paid_amount": Decimal(str(row["paid_amount"])),
        }
        for row in rows
    ]
    engine = create_async_engine(dsn)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
            await connection.execute(text(CREATE_TABLE))
            if typed:
                await connection.execute(text(INSERT), typed)
            await connection.execute(text(CREATE_INDEX))
    finally:
        await engine.dispose()
