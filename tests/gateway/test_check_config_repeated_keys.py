"""``c360 check-config`` refuses a key given twice in one mapping and a "billion laughs" file.

YAML keeps the last of two equal keys without a word: a newcomer who maps
``handling_minutes`` twice, or pastes a source twice, gets a gateway that starts
and silently ignores the first. The start cannot see it (it reads the parsed
file); the check reads the document itself.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gateway.cli import app
from tools.check_config import document_problems, repeated_keys

DEMO = Path(__file__).parents[2] / "sources" / "demo" / "sources.yaml"
FOREIGN = Path(__file__).parents[2] / "sources" / "foreign" / "sources.yaml"


def test_the_shipped_configs_repeat_no_key() -> None:
    assert repeated_keys(DEMO.read_text()) == []
    assert repeated_keys(FOREIGN.read_text()) == []


def test_a_field_mapped_twice_is_named_with_both_lines() -> None:
    text = (
        "sources:\n"
        "  support:\n"
        "    entities:\n"
        "      tickets:\n"
        "        fields:\n"
        "          id: ticketRef\n"
        "          status: meta.state\n"
        "          status: state\n"
    )
    assert repeated_keys(text) == [
        "line 8: 'sources.support.entities.tickets.fields.status' is given twice "
        "(first on line 7); YAML would keep only the last"
    ]


def test_flow_mappings_lists_and_merge_keys() -> None:
    text = (
        "base: &base { a: 1 }\n"
        "list:\n"
        "  - { q: 1, q: 2 }\n"
        "merged:\n"
        "  <<: *base\n"
        "  <<: *base\n"
        "  b: 2\n"
    )
    assert repeated_keys(text) == [
        "line 3: 'list[0].q' is given twice (first on line 3); YAML would keep only the last"
    ]
    assert repeated_keys("key: [unclosed") == []  # not YAML: the start names it


def test_check_config_stops_on_a_repeated_key(tmp_path: Path) -> None:
    demo = DEMO.read_text()
    assert "  support:\n" in demo
    path = tmp_path / "sources.yaml"
    # The support source pasted twice, the second copy pointed elsewhere.
    start = demo.index("  support:\n")
    end = demo.index("  web:\n")
    path.write_text(demo[:end] + demo[start:end].replace("8104", "8199") + demo[end:])
    result = CliRunner().invoke(app, ["check-config", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}: line " in result.output
    assert "'sources.support' is given twice" in result.output


def _laughs(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels + 1)]
    return "\n".join(lines) + "\nsources: {}\n"


def test_a_billion_laughs_is_refused_at_once_and_a_self_alias_does_not_loop() -> None:
    """Nine aliases a level, ten levels: 4.4 billion values. The start would walk them
    (``sources/config.py`` substitutes ``${VAR}`` value by value); the check counts
    each node once."""
    problems = document_problems(_laughs(9))
    assert problems == [
        "its aliases (&name ... *name) expand to 4,412,961,518 values; "
        "a source config holds at most 1,000,000"
    ]
    assert document_problems(_laughs(3)) == []  # 8,309 values: aliases as such are fine
    assert document_problems("a: &a [1, *a]\nsources: {}\n") == []


def test_check_config_stops_on_a_billion_laughs(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(_laughs(9))
    result = CliRunner().invoke(app, ["check-config", str(path)])
    assert result.exit_code == 2, result.output
    assert "expand to 4,412,961,518 values" in result.output
