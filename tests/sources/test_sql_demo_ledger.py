"""The demo's legacy ledger: old invoices moved out of REST billing into a SQL database."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.settings import DEMO_SOURCES
from sources.config import SqlSource, parse_sources_config
from sources.demo import SYSTEMS
from sources.demo.cluster import start_demo_sources
from sources.demo.data import generate
from sources.demo.ledger import TABLE, write_ledger
from sources.demo.world.ledger import cutover_day
from sources.sql import SqlConnector
from tests.sources.test_sql import POSTGRES_DSN, require_postgres

DAY = date(2026, 11, 27)


def demo_ledger_connector(dsn: str, table: str = TABLE) -> SqlConnector:
    """The ledger exactly as sources.yaml declares it, pointed at ``dsn`` (and ``table``)."""
    raw = yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))["sources"]["ledger"]
    raw["dsn"] = dsn
    lookup = raw["entities"]["invoices"]["lookups"]["email"]
    lookup["sql"] = lookup["sql"].replace(TABLE, table)
    source = parse_sources_config({"sources": {"ledger": raw}}).sources["ledger"]
    assert isinstance(source, SqlSource)
    return SqlConnector("ledger", source)


def test_billing_keeps_invoices_since_the_cutover_and_the_ledger_the_older_ones() -> None:
    world = generate(customers=300, today=DAY)
    cutover = cutover_day(DAY).isoformat()
    assert world.ledger_invoices, "some invoices predate the cut-over"
    assert all(invoice["issued_on"] >= cutover for invoice in world.invoices)
    assert all(row["doc_date"] < cutover for row in world.ledger_invoices)
    # Together they are every invoice ever issued: numbering has no gaps and no repeats.
    numbers = [i["invoice_no"] for i in world.invoices] + [
        r["doc_no"] for r in world.ledger_invoices
    ]
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, len(numbers) + 1))


async def test_the_ledger_of_a_thousand_customers_is_written_whole_and_indexed_by_email(
    tmp_path: Path,
) -> None:
    # How long writing takes is a figure of ``python -m bench.demo_world``, not asserted here.
    rows = generate(customers=1000, today=DAY).ledger_invoices
    ledger = await write_ledger(rows, f"sqlite+aiosqlite:///{tmp_path}/ledger.db")
    with sqlite3.connect(tmp_path / "ledger.db") as connection:
        assert connection.execute(f"SELECT count(*) FROM {TABLE}").fetchone() == (len(rows),)
        plan = connection.execute(
            f"EXPLAIN QUERY PLAN SELECT * FROM {TABLE} WHERE lower(customer_email) IN (?, ?)",
            ("a@example.com", "b@example.com"),
        ).fetchall()
    assert any("USING INDEX" in str(step) for step in plan), plan
    await ledger.close()
    assert not (tmp_path / "ledger.db").exists(), "the demo removes the file it created"


async def test_the_demo_announces_its_ledger_and_removes_it_on_stop() -> None:
    cluster = await start_demo_sources(ports=dict.fromkeys(SYSTEMS, 0), customers=200, today=DAY)
    try:
        dsn = cluster.dsns["ledger"]
        connector = demo_ledger_connector(dsn)
        await connector.start()
        email = cluster.world.ledger_invoices[0]["customer_email"].casefold()
        [found] = await connector.fetch("invoices", "email", [email], timeout_s=5)
        await connector.close()
        assert found and all(r["customer_email"].casefold() == email for r in found)
    finally:
        await cluster.close()
    assert not _exists(dsn.removeprefix("sqlite+aiosqlite:///"))


def _exists(path: str) -> bool:
    return Path(path).exists()


@pytest.mark.postgres
async def test_the_ledger_can_live_in_postgresql() -> None:
    engine = create_async_engine(POSTGRES_DSN)
    try:
        await require_postgres(engine)
    finally:
        await engine.dispose()
    rows = generate(customers=200, today=DAY).ledger_invoices
    table = f"test_demo_ledger_{uuid.uuid4().hex[:12]}"
    ledger = await write_ledger(rows, POSTGRES_DSN, table=table)
    try:
        connector = demo_ledger_connector(POSTGRES_DSN, table)
        await connector.start()
        emails = sorted({row["customer_email"].casefold() for row in rows})
        found = await connector.fetch("invoices", "email", emails, timeout_s=5)
        await connector.close()
        assert sum(len(records) for records in found) == len(rows)
        assert connector.statements == 1
        assert isinstance(found[0][0]["gross_amount"], float)
        assert isinstance(found[0][0]["doc_date"], str)
    finally:
        await ledger.close()
