from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gateway.settings import DEMO_SOURCES
from resolvers.system.runtime import SourceRuntime
from sources.config import load_sources_config
from sources.errors import ConfigError


def write(tmp_path: Path, config: dict) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def demo_config() -> dict:
    return yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))


def test_demo_config_loads_with_every_system() -> None:
    runtime = SourceRuntime.from_file(DEMO_SOURCES)
    assert list(runtime.connectors) == [
        "crm",
        "orders",
        "billing",
        "ledger",
        "support",
        "web",
        "social",
        "weather",
        "contacts",
        "marketing",
        "opportunities",
        "surveys",
    ]


def test_missing_field_names_file_source_and_field(tmp_path: Path) -> None:
    config = demo_config()
    del config["sources"]["billing"]["base_url"]
    path = write(tmp_path, config)
    with pytest.raises(ConfigError) as caught:
        load_sources_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert "source 'billing'" in message and "base_url" in message


def test_unknown_domain_field_in_mapping_is_named(tmp_path: Path) -> None:
    config = demo_config()
    config["sources"]["orders"]["entities"]["orders"]["fields"]["totl"] = "total"
    path = write(tmp_path, config)
    with pytest.raises(ConfigError) as caught:
        SourceRuntime.from_file(path)
    message = str(caught.value)
    assert str(path) in message and "source 'orders'" in message and "fields.totl" in message


def test_required_domain_field_without_mapping_is_named(tmp_path: Path) -> None:
    config = demo_config()
    del config["sources"]["support"]["entities"]["tickets"]["fields"]["status"]
    with pytest.raises(ConfigError, match=r"source 'support'.*needs a mapping for status"):
        SourceRuntime.from_file(write(tmp_path, config))


def test_unknown_lookup_kind_and_bad_url_are_rejected(tmp_path: Path) -> None:
    config = demo_config()
    config["sources"]["crm"]["base_url"] = "not a url"
    config["sources"]["web"]["entities"]["visits"]["lookups"]["cookie"] = {"path": "/v"}
    with pytest.raises(ConfigError) as caught:
        load_sources_config(write(tmp_path, config))
    message = str(caught.value)
    assert "source 'crm', field 'base_url'" in message
    assert "source 'web'" in message and "cookie" in message


def test_not_yaml_and_missing_file_say_so(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("sources: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.yaml: not valid YAML"):
        load_sources_config(bad)
    with pytest.raises(ConfigError, match="cannot read source config"):
        load_sources_config(tmp_path / "absent.yaml")


def test_environment_variables_fill_base_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("C360_DEMO_CRM_URL", "http://crm.internal:9000")
    config = load_sources_config(DEMO_SOURCES)
    assert config.sources["crm"].base_url == "http://crm.internal:9000"
    assert config.sources["orders"].base_url == "http://127.0.0.1:8102"
