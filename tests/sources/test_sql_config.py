"""Declaring a sql source: mistakes stop the start with the file, source, entity and field named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.settings import DEMO_SOURCES
from sources.config import SqlSource, load_sources_config
from sources.demo.ledger import DEFAULT_DSN
from sources.errors import ConfigError


def demo_config() -> dict[str, Any]:
    return yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))


def write(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def config_error(tmp_path: Path, config: dict[str, Any]) -> str:
    path = write(tmp_path, config)
    with pytest.raises(ConfigError) as caught:
        load_sources_config(path)
    message = str(caught.value)
    assert str(path) in message
    return message


def ledger_lookup(config: dict[str, Any]) -> dict[str, Any]:
    lookup: dict[str, Any] = config["sources"]["ledger"]["entities"]["invoices"]["lookups"]["email"]
    return lookup


def test_the_demo_ledger_is_a_sql_source_on_the_file_the_demo_writes() -> None:
    ledger = load_sources_config(DEMO_SOURCES).sources["ledger"]
    assert isinstance(ledger, SqlSource)
    assert ledger.dsn == DEFAULT_DSN
    assert ":keys" in (ledger.entities["invoices"].lookups["email"].sql or "")


def test_an_override_by_source_name_sets_a_sql_sources_dsn(tmp_path: Path) -> None:
    dsn = f"sqlite+aiosqlite:///{tmp_path}/other.db"
    config = load_sources_config(DEMO_SOURCES, {"ledger": dsn, "billing": "http://127.0.0.1:9"})
    ledger = config.sources["ledger"]
    assert isinstance(ledger, SqlSource) and ledger.dsn == dsn
    assert config.sources["billing"].base_url == "http://127.0.0.1:9"  # type: ignore[union-attr]


def test_a_sync_driver_is_refused_without_repeating_the_password(tmp_path: Path) -> None:
    config = demo_config()
    config["sources"]["ledger"]["dsn"] = "postgresql://reader:s3cret-pw@db.internal/ledger"
    message = config_error(tmp_path, config)
    assert "source 'ledger', field 'dsn'" in message
    assert "postgresql+asyncpg://" in message  # says what would work
    assert "s3cret-pw" not in message


def test_a_dsn_that_is_no_url_says_what_is_expected(tmp_path: Path) -> None:
    config = demo_config()
    config["sources"]["ledger"]["dsn"] = "ledger database please"
    message = config_error(tmp_path, config)
    assert "source 'ledger', field 'dsn'" in message and "sqlite+aiosqlite:///" in message


def test_a_sql_lookup_without_sql_names_entity_and_field(tmp_path: Path) -> None:
    config = demo_config()
    config["sources"]["ledger"]["entities"]["invoices"]["lookups"]["email"] = {
        "path": "/invoices",
        "match_on": "customer_email",
    }
    message = config_error(tmp_path, config)
    assert "source 'ledger', field 'entities.invoices.lookups.email.sql'" in message
    assert "required in a sql source" in message


def test_rest_only_fields_in_a_sql_lookup_are_named(tmp_path: Path) -> None:
    config = demo_config()
    ledger_lookup(config)["query"] = {"emails": "{keys}"}
    message = config_error(tmp_path, config)
    assert "field 'entities.invoices.lookups.email.query': not used by a sql source" in message


def test_sql_without_a_keys_parameter_is_refused(tmp_path: Path) -> None:
    config = demo_config()
    ledger_lookup(config)["sql"] = "SELECT * FROM ledger_invoices"
    message = config_error(tmp_path, config)
    assert "field 'entities.invoices.lookups.email.sql'" in message and "':keys'" in message


def test_sql_in_a_rest_lookup_is_named(tmp_path: Path) -> None:
    config = demo_config()
    billing = config["sources"]["billing"]["entities"]["invoices"]["lookups"]["email"]
    billing["sql"] = "SELECT * FROM invoices WHERE email IN :keys"
    message = config_error(tmp_path, config)
    assert "source 'billing', field 'entities.invoices.lookups.email.sql'" in message
    assert "not used by a rest source" in message


def test_an_unknown_or_missing_kind_lists_the_kinds(tmp_path: Path) -> None:
    config = demo_config()
    config["sources"]["ledger"]["kind"] = "odbc"
    del config["sources"]["support"]["kind"]
    message = config_error(tmp_path, config)
    assert "source 'ledger', field 'kind': expected one of rest, sql" in message
    assert "source 'support', field 'kind': expected one of rest, sql" in message
