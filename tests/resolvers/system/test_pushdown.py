"""Argument pushdown in the system layer: what each source is sent, and how calls batch.

The sources are stand-ins behind the real resilient connectors (cache, coalescing),
so what reaches them is what a real connector would be asked to send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from resolvers.system.by_customer import CustomerKeys
from resolvers.system.customer_loaders import CustomerLoaders
from resolvers.system.loaders import SystemLoaders
from resolvers.system.runtime import SourceRuntime
from sources.arguments import Filters, Pushed, pushed
from sources.config import Lookup, parse_sources_config
from sources.errors import ConfigError
from sources.sql import SqlConnector


def _rest(serves: str, arguments: dict[str, Any], **lookup: Any) -> dict[str, Any]:
    email = {"path": f"/{serves}", "query": {"emails": "{keys}"}, "match_on": "email"}
    email.update(lookup)
    if arguments:
        email["arguments"] = arguments
    fields = {"id": "id", "placed_at": "at", "total": "total", "status": "status",
              "amount": "total", "started_at": "at"}  # fmt: skip
    wanted = {
        "orders": ("id", "placed_at", "total"),
        "tickets": ("id", "status"),
        "invoices": ("id", "amount", "status"),
        "web_visits": ("id", "started_at"),
    }[serves]
    return {
        "kind": "rest",
        "base_url": f"http://{serves}.invalid",
        "entities": {
            serves: {
                "serves": serves,
                "lookups": {"email": email},
                "fields": {k: v for k, v in fields.items() if k in wanted},
            }
        },
    }


CONFIG = {
    "sources": {
        "orders": _rest("orders", {"limit": {"param": "per_customer", "per_key": True}}),
        "support": _rest("tickets", {}),  # filters nothing itself
        "billing": _rest("invoices", {"status": "state", "limit": "max"}),  # batch-wide limit
        "web": _rest("web_visits", {"since": {"param": "from", "format": "epoch"}}),
    }
}


class RecordingSource:
    """Answers each key with one record; notes every call's keys and pushed arguments."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[tuple[list[str], Pushed]] = []

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def fetch(
        self,
        entity: str,
        kind: str,
        keys: Sequence[str],
        *,
        timeout_s: float,
        arguments: Pushed = (),
    ) -> list[list[dict[str, Any]]]:
        self.calls.append((sorted(keys), arguments))
        await asyncio.sleep(0)
        return [
            [{"id": f"{self.name}:{key}", "at": "2026-11-01T10:00:00Z", "total": 1,
              "status": "open", "email": key}]
            for key in keys
        ]  # fmt: skip


@pytest.fixture
def sources() -> dict[str, RecordingSource]:
    return {name: RecordingSource(name) for name in CONFIG["sources"]}


def loaders_over(sources: dict[str, RecordingSource]) -> CustomerLoaders:
    runtime = SourceRuntime.from_config(parse_sources_config(CONFIG))
    for name, source in sources.items():
        runtime.connectors[name].inner = source
    return CustomerLoaders.over(SystemLoaders(runtime, asyncio.get_running_loop().time() + 5))


def customer(n: int) -> CustomerKeys:
    return CustomerKeys({"email": f"c{n}@example.com"})


async def test_distinct_argument_sets_batch_apart_and_equal_ones_together(
    sources: dict[str, RecordingSource],
) -> None:
    loaders = loaders_over(sources)
    a, b, c = customer(1), customer(2), customer(3)
    await asyncio.gather(
        loaders.orders.load(a, Filters(limit=5)),
        loaders.orders.load(b, Filters(limit=5)),
        loaders.orders.load(c, Filters(limit=2)),
        loaders.orders.load(a, Filters(limit=5)),  # asked twice: still one key
    )
    assert sorted(sources["orders"].calls) == [
        (["c1@example.com", "c2@example.com"], (("per_customer", 5),)),
        (["c3@example.com"], (("per_customer", 2),)),
    ]


async def test_arguments_a_source_does_not_take_split_nothing_and_send_nothing(
    sources: dict[str, RecordingSource],
) -> None:
    loaders = loaders_over(sources)
    await asyncio.gather(
        loaders.tickets.load(customer(1), Filters(status="open")),
        loaders.tickets.load(customer(2), Filters(status="closed", limit=3)),
        loaders.tickets.load(customer(3)),
    )
    assert sources["support"].calls == [
        (["c1@example.com", "c2@example.com", "c3@example.com"], ())
    ]


async def test_a_whole_list_already_loaded_answers_a_filtered_load_without_a_request(
    sources: dict[str, RecordingSource],
) -> None:
    loaders = loaders_over(sources)
    people = [customer(1), customer(2)]
    await loaders.load_ahead(["orders"], people)
    records = await loaders.orders.load(people[0], Filters(limit=1))
    assert [r.id for r in records] == ["orders:c1@example.com"]
    assert sources["orders"].calls == [(["c1@example.com", "c2@example.com"], ())]


async def test_a_filtered_answer_is_cached_apart_from_the_whole_list(
    sources: dict[str, RecordingSource],
) -> None:
    runtime = SourceRuntime.from_config(parse_sources_config(CONFIG))
    for name, source in sources.items():
        runtime.connectors[name].inner = source
    deadline = asyncio.get_running_loop().time() + 5
    first = CustomerLoaders.over(SystemLoaders(runtime, deadline))
    await first.orders.load(customer(1), Filters(limit=1))
    second = CustomerLoaders.over(SystemLoaders(runtime, deadline))  # the next request
    await second.orders.load(customer(1))
    await second.orders.load(customer(2), Filters(limit=1))
    assert sources["orders"].calls == [
        (["c1@example.com"], (("per_customer", 1),)),
        (["c1@example.com"], ()),  # not the limited answer from the cache
        (["c2@example.com"], (("per_customer", 1),)),
    ]


def _lookup(arguments: dict[str, Any], **extra: Any) -> Lookup:
    return Lookup.model_validate(
        {"path": "/x", "query": {"emails": "{keys}"}, "match_on": "email",
         "arguments": arguments, **extra}
    )  # fmt: skip


def test_a_limit_goes_only_where_it_bounds_each_customer() -> None:
    batch_wide = _lookup({"limit": "max"})
    per_key = _lookup({"limit": {"param": "n", "per_key": True}})
    one_by_one = Lookup.model_validate(
        {"path": "/c/{key}/orders", "arguments": {"limit": "max"}, "match_on": "email"}
    )
    assert pushed(batch_wide, Filters(limit=3)) == ()
    assert pushed(per_key, Filters(limit=3)) == (("n", 3),)
    assert pushed(one_by_one, Filters(limit=3)) == (("max", 3),)


def test_a_limit_is_not_pushed_past_a_status_the_source_does_not_filter() -> None:
    limit_only = _lookup({"limit": {"param": "n", "per_key": True}})
    both = _lookup({"limit": {"param": "n", "per_key": True}, "status": "state"})
    assert pushed(limit_only, Filters(limit=3, status="open")) == ()
    assert pushed(both, Filters(limit=3, status="open")) == (("state", "open"), ("n", 3))
    # A since the source ignores still leaves the newest first: the limit may go.
    assert pushed(limit_only, Filters(limit=3, since=datetime(2026, 1, 1, tzinfo=UTC))) == (
        ("n", 3),
    )


def test_since_is_sent_in_the_sources_format_rounded_down() -> None:
    since = datetime(2026, 11, 2, 1, 30, 15, 500_000, tzinfo=timezone(timedelta(hours=2)))
    sent = {
        fmt: pushed(_lookup({"since": {"param": "from", "format": fmt}}), Filters(since=since))
        for fmt in ("datetime", "date", "epoch")
    }
    assert sent["datetime"] == (("from", "2026-11-01T23:30:15.500000Z"),)
    assert sent["date"] == (("from", "2026-11-01"),)  # the UTC date
    assert sent["epoch"] == (("from", 1793575815),)
    assert pushed(_lookup({"since": "from"}), Filters(since=since)) == sent["datetime"]


def _config_error(arguments: dict[str, Any], **lookup: Any) -> str:
    config = {"sources": {"orders": _rest("orders", arguments, **lookup)}}
    with pytest.raises(ConfigError) as raised:
        parse_sources_config(config, origin="pushdown.yaml")
    return str(raised.value)


@pytest.mark.parametrize(
    ("arguments", "field", "problem"),
    [
        ({"stauts": "state"}, "arguments.stauts", "unknown field argument 'stauts'"),
        ({"status": {"param": "s", "format": "date"}}, "arguments.status.format", "only for since"),
        ({"since": {"param": "s", "per_key": True}}, "arguments.since.per_key", "only for limit"),
        ({"since": {"param": "s", "format": "unix"}}, "arguments.since.format", ""),
        ({"status": "emails"}, "arguments.status", "'emails' is already in query"),
    ],
)
def test_bad_arguments_stop_the_load_naming_the_lookup_field(
    arguments: dict[str, Any], field: str, problem: str
) -> None:
    message = _config_error(arguments)
    assert "pushdown.yaml" in message
    assert f"source 'orders', field 'entities.orders.lookups.email.{field}'" in message
    assert problem in message


def _sql_config(sql: str, arguments: dict[str, Any], dsn: str) -> dict[str, Any]:
    return {
        "sources": {
            "ledger": {
                "kind": "sql",
                "dsn": dsn,
                "entities": {
                    "invoices": {
                        "serves": "invoices",
                        "lookups": {
                            "email": {"sql": sql, "match_on": "email", "arguments": arguments}
                        },
                        "fields": {"id": "no", "amount": "amount", "status": "state"},
                    }
                },
            }
        }
    }


def test_a_sql_argument_must_be_a_parameter_of_the_statement(tmp_path: Path) -> None:
    dsn = f"sqlite+aiosqlite:///{tmp_path / 'l.db'}"
    sql = "SELECT no, email, amount, state FROM docs WHERE email IN :keys"
    with pytest.raises(ConfigError) as raised:
        parse_sources_config(_sql_config(sql, {"status": "state"}, dsn))
    assert "field 'entities.invoices.lookups.email.arguments.status'" in str(raised.value)
    assert "no ':state' parameter" in str(raised.value)
    limited = sql + " LIMIT :n"
    with pytest.raises(ConfigError, match="per_key: true"):
        parse_sources_config(_sql_config(limited, {"limit": "n"}, dsn))


async def test_a_sql_argument_is_bound_and_null_when_not_asked(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "ledger.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE docs (no TEXT, email TEXT, amount REAL, state TEXT)")
        db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?, ?)",
            [("D-1", "a@x.com", 1.0, "paid"), ("D-2", "a@x.com", 2.0, "unpaid"),
             ("D-3", "b@x.com", 3.0, "unpaid")],
        )  # fmt: skip
    sql = (
        "SELECT no, email, amount, state FROM docs WHERE email IN :keys "
        "AND (:state IS NULL OR state = :state) ORDER BY no"
    )
    config = parse_sources_config(
        _sql_config(sql, {"status": "state"}, f"sqlite+aiosqlite:///{path}")
    )
    source = config.sources["ledger"]
    assert source.kind == "sql"
    connector = SqlConnector("ledger", source)
    await connector.start()
    try:
        keys = ["a@x.com", "b@x.com"]
        unpaid = await connector.fetch(
            "invoices", "email", keys, timeout_s=2, arguments=(("state", "unpaid"),)
        )
        every = await connector.fetch("invoices", "email", keys, timeout_s=2)
    finally:
        await connector.close()
    assert [[r["no"] for r in answer] for answer in unpaid] == [["D-2"], ["D-3"]]  # type: ignore[union-attr]
    assert [[r["no"] for r in answer] for answer in every] == [["D-1", "D-2"], ["D-3"]]  # type: ignore[union-attr]
