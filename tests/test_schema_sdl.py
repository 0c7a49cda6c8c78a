from __future__ import annotations

from gateway.settings import PROJECT_ROOT
from schema import schema


def test_checked_in_sdl_matches_the_code() -> None:
    checked_in = (PROJECT_ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert checked_in == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `c360 export-schema` and commit it"
    )
