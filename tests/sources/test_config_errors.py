"""Config mistakes stop the start with one line naming the variable, file, source and field.

A typo in an override or an unset variable used to pass silently: the gateway
then called a default URL, sent ``Bearer `` with no token, or matched every
record on a field the source does not have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from gateway.cli import app
from gateway.settings import DEMO_SOURCES
from sources.config import DEFAULT_MAX_RESPONSE_BYTES, RestSource, load_sources_config
from sources.errors import ConfigError


def demo_config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))
    return loaded


def write(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def one_line_error(path: Path, overrides: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_sources_config(path, overrides)
    message = str(caught.value)
    assert "\n" not in message, message
    return message


def test_an_unknown_source_in_the_url_overrides_stops_the_start_naming_the_known_ones() -> None:
    message = one_line_error(DEMO_SOURCES, {"biling": "http://127.0.0.1:9", "crm": "http://x:1"})
    assert message.startswith("C360_SOURCE_URLS: unknown source 'biling'")
    assert "crm, orders, billing, ledger, support, web, social, weather" in message


def test_known_overrides_replace_urls_and_dsns() -> None:
    config = load_sources_config(
        DEMO_SOURCES, {"billing": "http://127.0.0.1:9", "ledger": "sqlite+aiosqlite:////tmp/l.db"}
    )
    billing = config.sources["billing"]
    assert isinstance(billing, RestSource) and billing.base_url == "http://127.0.0.1:9"


def test_an_unset_variable_without_default_names_variable_file_source_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("C360_TEST_BILLING_URL", raising=False)
    config = demo_config()
    config["sources"]["billing"]["base_url"] = "${C360_TEST_BILLING_URL}"
    path = write(tmp_path, config)
    message = one_line_error(path)
    assert str(path) in message
    assert "source 'billing', field 'base_url'" in message
    assert "C360_TEST_BILLING_URL is not set" in message


def test_an_unset_token_in_a_header_fails_instead_of_sending_an_empty_bearer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("C360_TEST_TOKEN", raising=False)
    config = demo_config()
    config["sources"]["crm"]["headers"] = {"Authorization": "Bearer ${C360_TEST_TOKEN}"}
    path = write(tmp_path, config)
    message = one_line_error(path)
    assert "source 'crm', field 'headers.Authorization'" in message
    assert "C360_TEST_TOKEN" in message
    monkeypatch.setenv("C360_TEST_TOKEN", "s3cret")
    crm = load_sources_config(path).sources["crm"]
    assert isinstance(crm, RestSource) and crm.headers["Authorization"] == "Bearer s3cret"


def test_an_explicit_empty_default_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("C360_TEST_TENANT", raising=False)
    config = demo_config()
    config["sources"]["crm"]["headers"] = {"X-Tenant": "${C360_TEST_TENANT:-}"}
    crm = load_sources_config(write(tmp_path, config)).sources["crm"]
    assert isinstance(crm, RestSource) and crm.headers == {"X-Tenant": ""}


def test_an_override_stands_in_for_an_unset_url_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("C360_TEST_BILLING_URL", raising=False)
    config = demo_config()
    config["sources"]["billing"]["base_url"] = "${C360_TEST_BILLING_URL}"
    loaded = load_sources_config(write(tmp_path, config), {"billing": "http://127.0.0.1:9"})
    billing = loaded.sources["billing"]
    assert isinstance(billing, RestSource) and billing.base_url == "http://127.0.0.1:9"


def test_a_batched_lookup_without_match_on_names_source_entity_and_lookup(
    tmp_path: Path,
) -> None:
    config = demo_config()
    del config["sources"]["support"]["entities"]["tickets"]["lookups"]["email"]["match_on"]
    path = write(tmp_path, config)
    with pytest.raises(ConfigError) as caught:
        load_sources_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert "source 'support', field 'entities.tickets.lookups.email.match_on'" in message
    assert "required" in message


def test_a_sql_lookup_without_match_on_is_named_too(tmp_path: Path) -> None:
    config = demo_config()
    del config["sources"]["ledger"]["entities"]["invoices"]["lookups"]["email"]["match_on"]
    with pytest.raises(ConfigError, match=r"source 'ledger', field '.*lookups\.email\.match_on'"):
        load_sources_config(write(tmp_path, config))


def test_a_per_key_lookup_needs_no_match_on(tmp_path: Path) -> None:
    config = demo_config()
    config["sources"]["support"]["entities"]["tickets"]["lookups"]["email"] = {
        "path": "/people/{key}/tickets"
    }
    loaded = load_sources_config(write(tmp_path, config))
    lookup = loaded.sources["support"].entities["tickets"].lookups["email"]
    assert lookup.per_key and lookup.match_on is None


def test_echo_belongs_to_positional_lookups_and_names_key_parts(tmp_path: Path) -> None:
    config = demo_config()
    config["sources"]["crm"]["entities"]["contacts"]["lookups"]["email"]["echo"] = {"key": "email"}
    with pytest.raises(ConfigError, match=r"lookups\.email\.echo': only for match_on: position"):
        load_sources_config(write(tmp_path, config))
    config = demo_config()
    location = config["sources"]["weather"]["entities"]["current"]["lookups"]["location"]
    location["echo"] = {"lat": "latitude"}
    with pytest.raises(ConfigError, match=r"unknown key part \['lat'\]"):
        load_sources_config(write(tmp_path, config))


def test_max_response_bytes_has_a_documented_default_and_is_validated(tmp_path: Path) -> None:
    crm = load_sources_config(DEMO_SOURCES).sources["crm"]
    assert isinstance(crm, RestSource) and crm.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES
    config = demo_config()
    config["sources"]["crm"]["max_response_bytes"] = 0
    with pytest.raises(ConfigError, match=r"source 'crm', field 'max_response_bytes'"):
        load_sources_config(write(tmp_path, config))


def test_check_config_fails_on_an_unknown_override_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("C360_SOURCE_URLS", '{"biling": "http://127.0.0.1:9"}')
    result = CliRunner().invoke(app, ["check-config", str(DEMO_SOURCES)])
    assert result.exit_code == 2
    assert "unknown source 'biling'" in result.output
    assert "Traceback" not in result.output


def test_check_config_fails_on_an_unset_header_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("C360_SOURCE_URLS", raising=False)
    monkeypatch.delenv("C360_TEST_TOKEN", raising=False)
    config = demo_config()
    config["sources"]["billing"]["headers"] = {"Authorization": "Bearer ${C360_TEST_TOKEN}"}
    path = write(tmp_path, config)
    result = CliRunner().invoke(app, ["check-config", str(path)])
    assert result.exit_code == 2
    assert "C360_TEST_TOKEN is not set" in result.output


def test_the_gateway_does_not_start_with_an_unknown_override() -> None:
    from gateway.app import create_app
    from gateway.settings import Settings

    with pytest.raises(ConfigError, match=r"^C360_SOURCE_URLS: unknown source 'biling'"):
        create_app(Settings(source_urls={"biling": "http://127.0.0.1:9"}))
