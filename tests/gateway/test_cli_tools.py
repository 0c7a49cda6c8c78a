"""``c360 check-config`` and ``c360 import-openapi`` run the configuration tools as they are.

Each tool declares its own arguments once (``tools/``); the gateway's CLI forwards
what it is given and runs the tool as a process of its own, so the gateway
package imports neither the sources nor the resolvers layer for them.
"""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from gateway.cli import app
from tools import import_openapi as importer

runner = CliRunner()


def test_import_openapi_help_is_the_importers_own() -> None:
    """Every option the importer declares is offered by ``c360 import-openapi --help``."""
    result = runner.invoke(app, ["import-openapi", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    declared = {
        option
        for parameter in typer.main.get_command(importer.app).params
        for option in parameter.opts
        if option.startswith("--")
    }
    assert {"--source", "--base-url", "--output", "--system"} <= declared
    assert declared <= set(result.output.split()), result.output
    assert "Usage: c360 import-openapi [OPTIONS]" in result.output
    assert "URL_OR_FILE" in result.output
