"""The ``c360`` command refuses bad settings and bad source configs with a message, not a trace."""

from __future__ import annotations

from pathlib import Path

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
