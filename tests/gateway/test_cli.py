"""The ``c360`` command refuses bad settings and bad source configs with a message, not a trace."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.settings import DEMO_SOURCES

runner = CliRunner()


def test_a_bad_setting_names_the_variable() -> None:
    result = runner.invoke(app, ["serve"], env={"C360_PORT": "eighty"})
    assert result.exit_code == 2
    assert "C360_PORT" in result.output and "integer" in result.output
    assert "Traceback" not in result.output


def test_a_missing_source_config_stops_the_start(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = runner.invoke(app, ["serve"], env={"C360_SOURCES_FILE": str(missing)})
    assert result.exit_code == 2
    assert str(missing) in result.output and "cannot read source config" in result.output


def test_check_config_accepts_the_demo_and_names_a_broken_field(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["check-config", str(DEMO_SOURCES)])
    assert ok.exit_code == 0 and "ok (crm, orders" in ok.output
    broken = tmp_path / "sources.yaml"
    broken.write_text(
        DEMO_SOURCES.read_text(encoding="utf-8").replace("timeout_ms: 1500", "timeout_ms: soon", 1),
        encoding="utf-8",
    )
    bad = runner.invoke(app, ["check-config", str(broken)])
    assert bad.exit_code == 2
    assert "source 'crm', field 'timeout_ms'" in bad.output


def test_malformed_json_in_a_setting_is_one_line_naming_the_variable() -> None:
    result = runner.invoke(
        app, ["check-config", str(DEMO_SOURCES)], env={"C360_SOURCE_URLS": "{bad"}
    )
    assert result.exit_code == 2
    assert "invalid setting C360_SOURCE_URLS: not valid JSON" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("variable", "says"),
    [
        ("C360_MAX_DEPHT", "did you mean C360_MAX_DEPTH?"),
        ("C360_BATCHING", "C360_BATCHING is not a setting of the gateway"),
    ],
)
@pytest.mark.parametrize("command", ["serve", "demo", "check-config"])
def test_an_unknown_variable_stops_the_start(variable: str, says: str, command: str) -> None:
    args = [command, str(DEMO_SOURCES)] if command == "check-config" else [command]
    result = runner.invoke(app, args, env={variable: "1"})
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_test_only_and_substituted_variables_are_not_unknown() -> None:
    env = {
        "C360_TEST_POSTGRES_DSN": "postgresql://ci",
        "C360_TEST_REDIS_URL": "redis://ci",
        "C360_DEMO_CRM_URL": "http://127.0.0.1:8101",  # ${C360_DEMO_CRM_URL} in the demo config
        "C360_SOURCE_URLS__crm": "http://127.0.0.1:8101",  # a nested dict setting
    }
    result = runner.invoke(app, ["check-config", str(DEMO_SOURCES)], env=env)
    assert result.exit_code == 0, result.output
