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


def create_table(table: str) -> str:
    return f"""
CREATE TABLE {table} (
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


def create_index(table: str) -> str:
    # The lookup is ``lower(customer_email) IN :keys``; this index keeps it a seek.
    return f"CREATE INDEX {table}_email ON {table} (lower(customer_email))"


def insert(table: str) -> str:
    columns = ", ".join(COLUMNS)
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in COLUMNS)})"


JsonRecord = dict[str, Any]


@dataclass(slots=True)
class LedgerDatabase:
    """A written ledger: its DSN, and what to remove when the demo stops."""

    dsn: str
    table: str = TABLE
    _created: Path | None = None
    """The SQLite file or temporary directory we created, removed again on close."""

    async def close(self) -> None:
        """Remove what we created, or drop the table written into an existing database."""
        created, self._created = self._created, None
        if created is not None:
            if created.is_dir():
                shutil.rmtree(created, ignore_errors=True)
            else:
                created.unlink(missing_ok=True)
            return
        url = make_url(self.dsn)
        if url.get_backend_name() == "sqlite" and url.database:
            with contextlib.closing(sqlite3.connect(url.database)) as database, database:
                database.execute(f"DROP TABLE IF EXISTS {self.table}")
            return
        engine = create_async_engine(self.dsn)
        try:
            async with engine.begin() as connection:
                await connection.execute(text(f"DROP TABLE IF EXISTS {self.table}"))
        finally:
            await engine.dispose()


async def write_ledger(
    rows: list[JsonRecord], dsn: str | None = None, *, table: str = TABLE
) -> LedgerDatabase:
    """Create the ledger table with ``rows`` (replacing an earlier one) and its email index.

    Without ``dsn``, a fresh SQLite file in a new temporary directory (so that
    parallel demos, as tests start them, never share one).
    """
    if dsn is None:
        directory = Path(tempfile.mkdtemp(prefix="c360-ledger-"))
        path = directory / "ledger.db"
        _write_sqlite(path, table, rows)
        return LedgerDatabase(f"sqlite+aiosqlite:///{path}", table, directory)
    url = make_url(dsn)
    if url.get_backend_name() == "sqlite" and url.database:
        path = Path(url.database)
        existed = path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_sqlite(path, table, rows)
        return LedgerDatabase(dsn, table, None if existed else path)
    await _write_postgresql(dsn, table, rows)
    return LedgerDatabase(dsn, table)


def _write_sqlite(path: Path, table: str, rows: list[JsonRecord]) -> None:
    # The stdlib driver: one executemany in one transaction is a few milliseconds.
    with contextlib.closing(sqlite3.connect(path)) as database, database:
        database.execute(f"DROP TABLE IF EXISTS {table}")
        database.execute(create_table(table))
        database.executemany(insert(table), rows)
        database.execute(create_index(table))


async def _write_postgresql(dsn: str, table: str, rows: list[JsonRecord]) -> None:
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
            await connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
            await connection.execute(text(create_table(table)))
            if typed:
                await connection.execute(text(insert(table)), typed)
            await connection.execute(text(create_index(table)))
    finally:
        await engine.dispose()
