"""YAML configs are read with what ``yaml.safe_load`` hides refused: repeated keys, alias bombs,
recursive anchors and nesting too deep, each named, the start included."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.config import load_sources_config
from sources.errors import ConfigError
from sources.yaml_text import MAX_VALUES, YamlProblem, load_yaml

ALIAS_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 10)
)
"""Under 600 bytes that stand for over 4e9 values once the aliases are expanded."""


def test_a_key_given_twice_is_refused_naming_both_lines() -> None:
    text = "sources:\n  crm:\n    kind: rest\n    timeout_ms: 100\n    timeout_ms: 200\n"
    with pytest.raises(YamlProblem) as refused:
        load_yaml(text)
    assert str(refused.value) == (
        "line 5: 'sources.crm.timeout_ms' is given twice (first on line 4); "
        "YAML would keep only the last"
    )


def test_an_alias_bomb_is_refused_by_counting_not_expanding() -> None:
    assert len(ALIAS_BOMB) < 600
    with pytest.raises(YamlProblem, match=r"aliases expand to 4,412,961,516 values"):
        load_yaml(ALIAS_BOMB)


def test_fair_aliases_and_merge_keys_are_read_as_yaml_reads_them() -> None:
    text = (
        "common: &headers {Accept: application/json, X-Team: c360}\n"
        "crm: {headers: *headers}\n"
        "billing: {headers: {<<: *headers, X-Team: billing}}\n"
    )
    assert load_yaml(text)["billing"]["headers"] == {
        "Accept": "application/json",
        "X-Team": "billing",
    }
    assert load_yaml(text)["crm"]["headers"]["X-Team"] == "c360"


def test_a_recursive_anchor_and_nesting_too_deep_are_named() -> None:
    with pytest.raises(YamlProblem, match="aliased inside itself"):
        load_yaml("a: &a [1, *a]\n")
    with pytest.raises(YamlProblem, match="nested too deeply"):
        load_yaml("[" * 5_000 + "]" * 5_000)
    with pytest.raises(YamlProblem, match="not valid YAML"):
        load_yaml("a: [1, 2\n")


def test_the_gateway_start_refuses_both_naming_the_file(tmp_path: Path) -> None:
    bomb = tmp_path / "sources.yaml"
    bomb.write_text("sources: {}\n" + ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{bomb}: its aliases expand to .* {MAX_VALUES:,}"):
        load_sources_config(bomb)
    twice = tmp_path / "twice.yaml"
    twice.write_text("sources: {}\nsources: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{twice}: line 2: 'sources' is given twice"):
        load_sources_config(twice)
