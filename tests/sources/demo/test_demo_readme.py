"""The demo's README describes every demo system the package starts.

It said "seven" systems and left the contact book (port 8108) out of its table,
endpoints and code map while ten REST systems and the SQL ledger ran.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer

from gateway.cli import app
from sources.demo import DEFAULT_BASE_PORT, SYSTEMS

README = (Path(__file__).parents[3] / "sources" / "demo" / "README.md").read_text()


def test_the_table_lists_every_system_on_its_default_port() -> None:
    rows = dict(re.findall(r"^\| (\w+)\s*\| (\d{4}|\(SQL\)) \|", README, flags=re.MULTILINE))
    expected = {name: str(DEFAULT_BASE_PORT + n) for n, name in enumerate(SYSTEMS)}
    assert {k: v for k, v in rows.items() if v != "(SQL)"} == expected
    assert rows.get("ledger") == "(SQL)"


def test_the_count_the_intro_gives_is_the_number_of_rest_systems() -> None:
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    words += ["eleven", "twelve"]
    intro = README.split("\n\n")[1]
    assert f"{words[len(SYSTEMS) - 1].capitalize()} separate REST systems" in intro


def test_every_system_has_its_endpoints_and_its_module_in_the_code_map() -> None:
    endpoints = README.split("## Endpoints", 1)[1].split("\n## ", 1)[0]
    code_map = README.split("## Code map", 1)[1]
    for name in SYSTEMS:
        assert f"\n- {name}: `" in endpoints, name
        assert f"`{name}.py`" in code_map, name


def _start_paragraph() -> str:
    return README.split("Start them all:", 1)[1].split("\n\n", 1)[0]


def test_the_flags_it_gives_each_command_are_that_command_s() -> None:
    """It listed --ephemeral, --seed and --today for `c360 sources`, which has none of them."""
    paragraph = _start_paragraph()
    module_part, cli_part = paragraph.split("`c360 sources`", 1)
    demo_flags = set(re.findall(r"--[a-z-]+", module_part))
    cli_flags = set(re.findall(r"--[a-z-]+", cli_part)) - {"--ephemeral"}
    module_help = subprocess.run(
        [sys.executable, "-m", "sources.demo", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    module = set(re.findall(r"--[a-z-]+", module_help))
    commands: dict[str, Any] = getattr(typer.main.get_command(app), "commands")  # noqa: B009
    command = commands["sources"]
    offered = {option for parameter in command.params for option in parameter.opts}
    assert demo_flags and demo_flags <= module, demo_flags - module
    assert cli_flags and cli_flags <= offered, cli_flags - offered
    assert "--ephemeral" not in offered  # the paragraph sends free ports to the module
