"""The SQL connector against real databases: SQLite in a temp file and the local PostgreSQL.

PostgreSQL tests run whenever the server answers, and must run in CI: with
``CI=true`` an unreachable server fails them instead of skipping.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from sources.config import SqlSource, parse_sources_config
from sources.errors import SourceRejected, SourceTimeout, SourceUnavailable
from sources.sql import SqlConnector, json_record, json_records
from sources.sqlite_inline import INLINE_MAX_KEYS

POSTGRES_DSN = os.environ.get(
    "C360_TEST_POSTGRES_DSN", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)

# A legacy ledger's invoices: emails stored in whatever case the old system kept.
INVOICES = [
    ("INV-1", "Ann.Lee@Example.COM", date(2023, 3, 1), Decimal("120.50"), "paid"),
    ("INV-2", "ann.lee@example.com", date(2023, 9, 1), Decimal("80.00"), "overdue"),
    ("INV-3", "BOB@example.org", date(2024, 1, 15), Decimal("42.10"), "paid"),
] + [
    (f"INV-{100 + n}", f"customer{n}@example.net", date(2024, 2, 1), Decimal(n), "paid")
    for n in range(40)
]
SELECT = (
    "SELECT invoice_no, bill_to_email, issued_on, amount, status FROM {table} "
    "WHERE lower(bill_to_email) IN :keys ORDER BY invoice_no"
)


@dataclass
class Ledger:
    """A database holding a uniquely named invoices table, and a way to build connectors to it."""

    dsn: str
    table: str
    backend: str

    def connector(self, sql: str | None = None, **source: Any) -> SqlConnector:
        lookup: dict[str, Any] = {
            "sql": (sql or SELECT).format(table=self.table),
            "match_on": "bill_to_email",
        }
        if "max_batch" in source:
            lookup["max_batch"] = source.pop("max_batch")
        raw = {
            "kind": "sql",
            "dsn": source.pop("dsn", self.dsn),
            **source,
            "entities": {
                "invoices": {
                    "serves": "invoices",
                    "lookups": {"email": lookup},
                    "fields": {"id": "invoice_no", "amount": "amount"},
                }
            },
        }
        config = parse_sources_config({"sources": {"ledger": raw}})
        source_config = config.sources["ledger"]
        assert isinstance(source_config, SqlSource)
        return SqlConnector("ledger", source_config)


def _create_table(table: str) -> str:
    return (
        f"CREATE TABLE {table} (invoice_no VARCHAR(20) PRIMARY KEY, "
        "bill_to_email VARCHAR(320) NOT NULL, issued_on DATE NOT NULL, "
        "amount NUMERIC(12, 2) NOT NULL, status VARCHAR(10) NOT NULL)"
    )


def _rows() -> list[dict[str, Any]]:
    names = ("invoice_no", "email", "issued_on", "amount", "status")
    return [dict(zip(names, row, strict=True)) for row in INVOICES]


async def require_postgres(engine: AsyncEngine) -> None:
    """Skip when the local PostgreSQL is unreachable, except in CI (``CI=true``): fail there."""
    try:
        async with asyncio.timeout(5), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (OSError, TimeoutError) as exc:
        reason = f"PostgreSQL at {POSTGRES_DSN} is unreachable ({type(exc).__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; with CI=true the PostgreSQL tests must run")
        pytest.skip(reason)


async def _postgres_ledger() -> AsyncIterator[Ledger]:
    """A fresh table in the local PostgreSQL, dropped afterwards; skip or fail if unreachable."""
    table = f"test_ledger_{uuid.uuid4().hex[:12]}"
    engine = create_async_engine(POSTGRES_DSN)
    try:
        await require_postgres(engine)
        insert = f"INSERT INTO {table} VALUES (:invoice_no, :email, :issued_on, :amount, :status)"
        async with engine.begin() as connection:
            await connection.execute(text(_create_table(table)))
            await connection.execute(text(insert), _rows())
        try:
            yield Ledger(POSTGRES_DSN, table, "postgresql")
        finally:
            async with engine.begin() as connection:
                await connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    finally:
        await engine.dispose()


def _sqlite_ledger(tmp_path: Path) -> Ledger:
    path = tmp_path / "ledger.db"
    table = "invoices"
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(_create_table(table))
        connection.executemany(
            f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?)",
            [
                (no, email, day.isoformat(), float(amount), st)
                for no, email, day, amount, st in INVOICES
            ],
        )
    connection.close()
    return Ledger(f"sqlite+aiosqlite:///{path}", table, "sqlite")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Ledger]:
    if request.param == "sqlite":
        yield _sqlite_ledger(tmp_path)
    else:
        async for database in _postgres_ledger():
            yield database


@pytest.fixture
async def postgres_ledger() -> AsyncIterator[Ledger]:
    async for database in _postgres_ledger():
        yield database


@pytest.fixture
async def started() -> AsyncIterator[Callable[[SqlConnector], Any]]:
    """Starts connectors and closes them after the test, whatever it did to them."""
    connectors: list[SqlConnector] = []

    async def start(connector: SqlConnector) -> SqlConnector:
        await connector.start()
        connectors.append(connector)
        return connector

    yield start
    for connector in connectors:
        await connector.close()


async def test_a_batch_of_keys_costs_one_statement(ledger: Ledger, started: Any) -> None:
    connector: SqlConnector = await started(ledger.connector())
    keys = ["ann.lee@example.com", "bob@example.org"] + [
        f"customer{n}@example.net" for n in range(20)
    ]
    found = await connector.fetch("invoices", "email", keys, timeout_s=5)
    assert connector.statements == 1
    assert len(found) == len(keys)
    assert [r["invoice_no"] for r in found[0]] == ["INV-1", "INV-2"]
    assert [r["invoice_no"] for r in found[1]] == ["INV-3"]
    assert all(len(records) == 1 for records in found[2:])


async def test_more_keys_than_max_batch_cost_one_statement_per_chunk(
    ledger: Ledger, started: Any
) -> None:
    connector: SqlConnector = await started(ledger.connector(max_batch=7))
    keys = [f"customer{n}@example.net" for n in range(40)]
    found = await connector.fetch("invoices", "email", keys, timeout_s=5)
    assert connector.statements == math.ceil(40 / 7)
    assert [records[0]["invoice_no"] for records in found] == [f"INV-{100 + n}" for n in range(40)]


async def test_stored_emails_in_any_case_match_their_keys(ledger: Ledger, started: Any) -> None:
    connector: SqlConnector = await started(ledger.connector())
    [ann, bob] = await connector.fetch(
        "invoices", "email", ["ann.lee@example.com", "bob@example.org"], timeout_s=5
    )
    # The record keeps the system's own spelling; only the matching ignores case.
    assert [r["bill_to_email"] for r in ann] == ["Ann.Lee@Example.COM", "ann.lee@example.com"]
    assert [r["bill_to_email"] for r in bob] == ["BOB@example.org"]


async def test_unknown_keys_get_no_records(ledger: Ledger, started: Any) -> None:
    connector: SqlConnector = await started(ledger.connector())
    found = await connector.fetch(
        "invoices", "email", ["nobody@example.com", "bob@example.org", "ghost@x.io"], timeout_s=5
    )
    assert [len(records) for records in found] == [0, 1, 0]


async def test_rows_arrive_as_the_json_a_rest_source_would_send(
    ledger: Ledger, started: Any
) -> None:
    connector: SqlConnector = await started(ledger.connector())
    [[first, _second]] = await connector.fetch(
        "invoices", "email", ["ann.lee@example.com"], timeout_s=5
    )
    json.dumps(first)  # plain JSON values only: no Decimal, no date objects
    assert first["issued_on"] == "2023-03-01"
    assert first["amount"] == pytest.approx(120.5)
    assert first["status"] == "paid"


async def test_a_query_naming_a_missing_table_is_rejected_naming_the_source(
    ledger: Ledger, started: Any
) -> None:
    connector: SqlConnector = await started(
        ledger.connector("SELECT * FROM no_such_table_{table} WHERE email IN :keys")
    )
    with pytest.raises(SourceRejected) as caught:
        await connector.fetch("invoices", "email", ["bob@example.org"], timeout_s=5)
    assert caught.value.source == "ledger" and str(caught.value).startswith("ledger:")
    assert caught.value.extensions == {"code": "SOURCE_REJECTED", "source": "ledger"}


async def test_a_query_naming_a_missing_column_is_rejected(ledger: Ledger, started: Any) -> None:
    connector: SqlConnector = await started(
        ledger.connector("SELECT invoice_no FROM {table} WHERE lower(no_such_column) IN :keys")
    )
    with pytest.raises(SourceRejected, match=r"^ledger: "):
        await connector.fetch("invoices", "email", ["bob@example.org"], timeout_s=5)


async def test_a_database_file_that_cannot_be_opened_is_unavailable(
    tmp_path: Path, started: Any
) -> None:
    ledger = Ledger(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/ledger.db", "invoices", "sqlite")
    connector: SqlConnector = await started(ledger.connector())
    threads_before = set(threading.enumerate())
    with pytest.raises(SourceUnavailable) as caught:
        await connector.fetch("invoices", "email", ["bob@example.org"], timeout_s=5)
    assert str(tmp_path) not in str(caught.value)
    # aiosqlite stops the worker thread of a failed connect without waiting for it; let it
    # finish while this test's loop runs, or it reports to a closed loop in a later test.
    for thread in set(threading.enumerate()) - threads_before:
        await asyncio.to_thread(thread.join, 5)


async def test_a_dead_server_is_unavailable_not_waited_out_and_the_dsn_stays_secret(
    started: Any,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on: bound, never listened
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        dsn = f"postgresql+asyncpg://ledger_reader:s3cret-pw@127.0.0.1:{port}/ledger"
        connector: SqlConnector = await started(Ledger(dsn, "invoices", "postgresql").connector())
        # A refused connection is reported as the source being down (SourceUnavailable),
        # not waited on until the 5 s budget runs out (which would be a SourceTimeout).
        with pytest.raises(SourceUnavailable) as caught:
            await connector.fetch("invoices", "email", ["bob@example.org"], timeout_s=5)
    message = str(caught.value)
    assert message.startswith("ledger:")
    assert "s3cret-pw" not in message and dsn not in message and "ledger_reader" not in message


@pytest.mark.postgres
async def test_a_slow_query_times_out_within_the_budget_and_the_pool_recovers(
    postgres_ledger: Ledger, started: Any
) -> None:
    # Bob's invoices take 3 s to read; everyone else's are instant. (OFFSET 0 keeps
    # PostgreSQL from sleeping on Bob's row while it scans for someone else's.)
    slow_for_bob = (
        "SELECT * FROM (SELECT * FROM {table} WHERE lower(bill_to_email) IN :keys OFFSET 0) AS m "
        "WHERE bill_to_email <> 'BOB@example.org' OR pg_sleep(3) IS NOT NULL"
    )
    connector: SqlConnector = await started(
        postgres_ledger.connector(slow_for_bob, pool_size=1, max_overflow=0)
    )
    # Bob's query would answer after 3 s: a SourceTimeout means the 0.3 s budget ended it.
    with pytest.raises(SourceTimeout, match=r"^ledger: "):
        await connector.fetch("invoices", "email", ["bob@example.org"], timeout_s=0.3)
    # The only pooled connection is not left stuck in the cancelled query.
    [ann] = await connector.fetch("invoices", "email", ["ann.lee@example.com"], timeout_s=1)
    assert [r["invoice_no"] for r in ann] == ["INV-1", "INV-2"]


@pytest.mark.postgres
async def test_the_server_stops_a_query_that_outlives_the_source_timeout(
    postgres_ledger: Ledger, started: Any
) -> None:
    # The caller's budget is generous; the source's own timeout_ms is enforced server-side.
    slow = "SELECT * FROM {table} WHERE lower(bill_to_email) IN :keys AND pg_sleep(3) IS NOT NULL"
    connector: SqlConnector = await started(postgres_ledger.connector(slow, timeout_ms=200))
    # "cancelled" is the server's own word: it stopped the query, the caller's 5 s never ran out.
    with pytest.raises(SourceTimeout, match="cancelled"):
        await connector.fetch("invoices", "email", ["bob@example.org"], timeout_s=5)


async def test_a_connector_that_was_never_started_is_unavailable(ledger: Ledger) -> None:
    with pytest.raises(SourceUnavailable, match="not started"):
        await ledger.connector().fetch("invoices", "email", ["bob@example.org"], timeout_s=5)


def test_every_column_type_becomes_the_json_value_a_single_row_would() -> None:
    labels = ("amount", "issued_on", "created_at", "ref", "took", "tags", "note", "paid")
    row = (
        Decimal("120.50"),
        date(2023, 3, 1),
        datetime(2023, 3, 1, 8, 30),
        uuid.UUID(int=7),
        timedelta(minutes=3),
        (Decimal("1.5"), "a"),
        None,
        True,
    )
    [record] = json_records(labels, [row])
    assert record == json_record(dict(zip(labels, row, strict=True)))
    assert record == {
        "amount": 120.5,
        "issued_on": "2023-03-01",
        "created_at": "2023-03-01T08:30:00",
        "ref": str(uuid.UUID(int=7)),
        "took": 180.0,
        "tags": [1.5, "a"],
        "note": None,
        "paid": True,
    }
    json.dumps(record)


async def test_a_repeated_column_label_keeps_its_last_value() -> None:
    engine = create_async_engine("sqlite+aiosqlite://")
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text("SELECT 1 AS id, 2 AS id, 'Ann' AS name"))
            assert json_records(result.keys(), result) == [{"id": 2, "name": "Ann"}]
    finally:
        await engine.dispose()


def _count_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions sent to aiosqlite's threads from now on (each a trip there and back)."""
    import aiosqlite.core

    trips: list[str] = []
    queued = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await queued(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
    return trips


EVERY_KEY = ["ann.lee@example.com"] + [f"customer{n}@example.net" for n in range(39)]


async def test_a_quick_sqlite_statement_is_read_without_waking_a_thread(
    tmp_path: Path, started: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each trip to aiosqlite's thread wakes it and then the event loop: on a gateway pinned
    # to one core that cost more than the read (through SQLAlchemy's cursor, five trips).
    connector: SqlConnector = await started(_sqlite_ledger(tmp_path).connector(max_batch=5))
    trips = _count_trips(monkeypatch)
    found = await connector.fetch("invoices", "email", EVERY_KEY[:INLINE_MAX_KEYS], timeout_s=5)
    assert [len(records) for records in found] == [2] + [1] * (INLINE_MAX_KEYS - 1)
    assert connector.statements == 2 and trips == []


async def test_a_batch_of_many_keys_is_one_trip_to_the_database_thread(
    tmp_path: Path, started: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector: SqlConnector = await started(_sqlite_ledger(tmp_path).connector(max_batch=30))
    await connector.fetch("invoices", "email", EVERY_KEY, timeout_s=5)  # the pool's connections
    trips = _count_trips(monkeypatch)
    found = await connector.fetch("invoices", "email", EVERY_KEY, timeout_s=5)
    assert [len(records) for records in found] == [2] + [1] * 39
    assert connector.statements == 4 and trips == ["_execute_fetchall"] * 2


async def test_a_statement_over_its_slice_of_the_event_loop_is_read_by_the_thread(
    tmp_path: Path, started: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counting to a million takes SQLite far longer than the 2 ms it may hold the event loop.
    slow = (
        "SELECT invoice_no, bill_to_email FROM {table} WHERE lower(bill_to_email) IN :keys "
        "AND (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000) "
        "SELECT count(*) FROM n) > 0"
    )
    connector: SqlConnector = await started(_sqlite_ledger(tmp_path).connector(slow))
    trips = _count_trips(monkeypatch)
    [ann] = await connector.fetch("invoices", "email", ["ann.lee@example.com"], timeout_s=5)
    assert [r["invoice_no"] for r in ann] == ["INV-1", "INV-2"]
    assert connector.statements == 1 and trips.count("_execute_fetchall") == 1


async def test_a_locked_database_is_waited_for_by_the_thread_not_the_event_loop(
    tmp_path: Path, started: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = _sqlite_ledger(tmp_path)
    writer = sqlite3.connect(tmp_path / "ledger.db", isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # another system writing: readers must wait
    connector: SqlConnector = await started(ledger.connector())
    trips = _count_trips(monkeypatch)
    # The writer is done while the read waits on the thread; the loop was free to run this.
    asyncio.get_running_loop().call_later(0.2, writer.rollback)
    try:
        [bob] = await connector.fetch("invoices", "email", ["bob@example.org"], timeout_s=5)
    finally:
        writer.close()
    assert [r["invoice_no"] for r in bob] == ["INV-3"]
    assert trips.count("_execute_fetchall") == 1


async def test_a_repeated_column_label_in_a_lookup_keeps_its_last_value(
    tmp_path: Path, started: Any
) -> None:
    sql = (
        "SELECT invoice_no, bill_to_email, status AS amount, amount FROM {table} "
        "WHERE lower(bill_to_email) IN :keys"
    )
    connector: SqlConnector = await started(_sqlite_ledger(tmp_path).connector(sql))
    [[bob]] = await connector.fetch("invoices", "email", ["bob@example.org"], timeout_s=5)
    assert bob == {"invoice_no": "INV-3", "bill_to_email": "BOB@example.org", "amount": 42.1}
