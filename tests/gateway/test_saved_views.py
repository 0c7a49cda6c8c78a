"""Saved views at start: every shipped one validates; one that does not stops the start, named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.saved_queries import SavedQueryError
from gateway.settings import Settings
from queries import saved_queries_dir


def test_the_role_views_ship_as_saved_queries() -> None:
    shipped = {path.stem for path in saved_queries_dir().glob("*.graphql")}
    assert {"agent", "cmo", "ceo"} <= shipped
    app = create_app(Settings(gc_threshold=0))
    assert {"agent", "cmo", "ceo"} <= set(app.state.saved_queries)


def test_a_saved_query_that_no_longer_validates_stops_the_start(tmp_path: Path) -> None:
    shutil.copy(saved_queries_dir() / "cmo.graphql", tmp_path / "cmo.graphql")
    broken = (saved_queries_dir() / "ceo.graphql").read_text().replace("netTotal", "netTotl")
    (tmp_path / "ceo.graphql").write_text(broken)
    with pytest.raises(SavedQueryError) as stopped:
        create_app(Settings(queries_dir=tmp_path, gc_threshold=0))
    message = str(stopped.value)
    assert str(tmp_path / "ceo.graphql") in message
    assert "netTotl" in message  # the error itself, not only the file
