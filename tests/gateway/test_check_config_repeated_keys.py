"""``c360 check-config`` (and the start) refuse a key given twice and a "billion laughs" file.

YAML keeps the last of two equal keys without a word: a newcomer who maps
``handling_minutes`` twice, or pastes a source twice, would get a gateway that
starts and silently ignores the first. ``sources.yaml_text`` reads the document's
nodes before building anything, for the start and the check alike.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gateway.cli import app
from sources.yaml_text import YamlProblem, load_yaml


def refused_for(text: str) -> list[str]:
    """What ``load_yaml`` refuses ``text`` for, if anything."""
    try:
        load_yaml(text)
    except YamlProblem as exc:
        return [str(exc)]
    return []


DEMO = Path(__file__).parents[2] / "sources" / "demo" / "sources.yaml"
FOREIGN = Path(__file__).parents[2] / "sources" / "foreign" / "sources.yaml"


def test_the_shipped_configs_repeat_no_key() -> None:
    assert refused_for(DEMO.read_text()) == []
    assert refused_for(FOREIGN.read_text()) == []


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
    assert refused_for(text) == [
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
    assert refused_for(text) == [
        "line 3: 'list[0].q' is given twice (first on line 3); YAML would keep only the last"
    ]
    assert refused_for("key: [unclosed") == [
        "not valid YAML (line 1): expected ',' or ']', but got '<stream end>'"
    ]


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


def test_a_billion_laughs_is_refused_at_once_and_a_self_alias_is_named() -> None:
    """Nine aliases a level, ten levels: 4.4 billion values. The start walked them
    (``sources/config.py`` substitutes ``${VAR}`` value by value); now each node is
    counted once, before anything is built."""
    problems = refused_for(_laughs(9))
    assert problems == [
        "its aliases expand to 4,412,961,518 values, more than 1,000,000 "
        "(a config never needs that many; is an anchor aliased within aliases?)"
    ]
    assert refused_for(_laughs(3)) == []  # 8,309 values: aliases as such are fine
    assert refused_for("a: &a [1, *a]\nsources: {}\n") == [
        "line 1: an anchor is aliased inside itself (a recursive document)"
    ]


def test_check_config_stops_on_a_billion_laughs(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(_laughs(9))
    result = CliRunner().invoke(app, ["check-config", str(path)])
    assert result.exit_code == 2, result.output
    assert "expand to 4,412,961,518 values" in result.output
