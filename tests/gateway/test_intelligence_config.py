"""A bad intelligence config stops the gateway at start, naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.settings import Settings
from resolvers.system.runtime import ConfigError


def test_a_segment_table_with_a_gap_stops_the_gateway(tmp_path: Path) -> None:
    config = tmp_path / "intelligence.yaml"
    config.write_text("segments:\n  - {name: Recent, recency: [4, 5]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"intelligence\.yaml: segments: no rule for score codes"):
        create_app(Settings(intelligence_file=config, gc_threshold=0))


def test_an_unknown_section_and_a_missing_file_are_named(tmp_path: Path) -> None:
    config = tmp_path / "intelligence.yaml"
    config.write_text("offer: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"intelligence\.yaml: offer: Extra inputs"):
        create_app(Settings(intelligence_file=config, gc_threshold=0))
    with pytest.raises(ConfigError, match=r"nowhere\.yaml: cannot read it"):
        create_app(Settings(intelligence_file=tmp_path / "nowhere.yaml", gc_threshold=0))


def test_the_policy_reaches_the_requests(tmp_path: Path) -> None:
    config = tmp_path / "intelligence.yaml"
    config.write_text("rfm_monetary: average\nclv: {horizon_months: 6}\n", encoding="utf-8")
    app = create_app(Settings(intelligence_file=config, gc_threshold=0))
    policy = app.state.intelligence.policy
    assert policy.rfm_monetary == "average" and policy.clv.horizon_months == 6
