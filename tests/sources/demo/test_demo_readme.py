"""The demo's README describes every demo system the package starts.

It said "seven" systems and left the contact book (port 8108) out of its table,
endpoints and code map while ten REST systems and the SQL ledger ran.
"""

from __future__ import annotations

import re
from pathlib import Path

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
