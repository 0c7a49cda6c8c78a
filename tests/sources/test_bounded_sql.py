"""A SQL source's batch statement is bounded by rows, like a REST answer is by bytes.

A lookup whose SELECT matches far more than it should (a missing condition, a
key that matches everything) must not load a table into the gateway's memory.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sources.config import DEFAULT_MAX_ROWS, SqlSource, parse_sources_config
from sources.errors import SourceBadResponse
from sources.sql import SqlConnector


def ledger(path: Path, rows: int) -> str:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (invoice_no TEXT PRIMARY KEY, email TEXT NOT NULL)")
        db.executemany(
            "INSERT INTO invoices VALUES (?, ?)",
            [(f"INV-{n}", "ann@x.com" if n % 2 else "bob@x.com") for n in range(rows)],
        )
    return f"sqlite+aiosqlite:///{path}"


def connector(dsn: str, **source: Any) -> SqlConnector:
    config = parse_sources_config(
        {
            "sources": {
                "ledger": {
                    "kind": "sql",
                    "dsn": dsn,
                    **source,
                    "entities": {
                        "invoices": {
                            "serves": "invoices",
                            "lookups": {
                                "email": {
                                    "sql": "SELECT invoice_no, email FROM invoices "
                                    "WHERE lower(email) IN :keys",
                                    "match_on": "email",
                                }
                            },
                            "fields": {"id": "invoice_no"},
                        }
                    },
                }
            }
        }
    )
    ledger_source = config.sources["ledger"]
    assert isinstance(ledger_source, SqlSource)
    return SqlConnector("ledger", ledger_source)


async def test_a_batch_answering_more_than_max_rows_is_a_bad_response(tmp_path: Path) -> None:
    sql = connector(ledger(tmp_path / "ledger.db", 500), max_rows=100)
    await sql.start()
    try:
        with pytest.raises(SourceBadResponse) as caught:
            await sql.fetch("invoices", "email", ["ann@x.com"], timeout_s=5)
    finally:
        await sql.close()
    assert "ledger" in str(caught.value) and "max_rows (100)" in str(caught.value)


async def test_a_batch_within_max_rows_is_served_whole(tmp_path: Path) -> None:
    sql = connector(ledger(tmp_path / "ledger.db", 100), max_rows=100)
    await sql.start()
    try:
        ann, bob = await sql.fetch("invoices", "email", ["ann@x.com", "bob@x.com"], timeout_s=5)
    finally:
        await sql.close()
    assert isinstance(ann, list) and len(ann) == 50
    assert isinstance(bob, list) and len(bob) == 50


def test_max_rows_has_a_documented_default(tmp_path: Path) -> None:
    assert connector(f"sqlite+aiosqlite:///{tmp_path / 'l.db'}").source.max_rows == DEFAULT_MAX_ROWS
