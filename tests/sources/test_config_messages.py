"""A config mistake is told in the user's terms: their field, their value, their variable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sources.config import load_sources_config, parse_sources_config
from sources.errors import ConfigError

DEMO = Path(__file__).parents[2] / "sources" / "demo" / "sources.yaml"


def _with_created_at(spec: Any) -> dict[str, Any]:
    lookup = {"path": "/tickets", "query": {"ids": "{keys}"}, "match_on": "id"}
    return {
        "sources": {
            "helpdesk": {
                "kind": "rest",
                "base_url": "http://helpdesk.invalid",
                "entities": {
                    "tickets": {
                        "serves": "ticket",
                        "lookups": {"id": lookup},
                        "fields": {"id": "id", "created_at": spec},
                    }
                },
            }
        }
    }


def _refusal(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as refused:
        parse_sources_config(raw)
    return str(refused.value).splitlines()[1:]


def test_a_date_format_that_is_no_strptime_pattern_is_one_line_with_an_example() -> None:
    assert _refusal(_with_created_at({"from": "opened", "format": "DD/MM/YYYY"})) == [
        "  source 'helpdesk', field 'entities.tickets.fields.created_at.format': expected a "
        "strptime pattern such as %d/%m/%Y (or epoch_s, epoch_ms), got 'DD/MM/YYYY'"
    ]


def test_a_field_mapping_names_no_union_branch() -> None:
    assert _refusal(_with_created_at(5)) == [
        "  source 'helpdesk', field 'entities.tickets.fields.created_at': "
        "Input should be a valid string"
    ]
    assert _refusal(_with_created_at({"frm": "opened"})) == [
        "  source 'helpdesk', field 'entities.tickets.fields.created_at.from': Field required",
        "  source 'helpdesk', field 'entities.tickets.fields.created_at.frm': "
        "Extra inputs are not permitted",
    ]


def test_a_bad_url_from_c360_source_urls_is_blamed_on_the_variable() -> None:
    with pytest.raises(ConfigError) as refused:
        load_sources_config(DEMO, {"support": "ftp://help.example"})
    blamed = "(its value is C360_SOURCE_URLS's, not the file's)"
    assert (
        str(refused.value)
        .splitlines()[1]
        .startswith(f"  source 'support', field 'base_url' {blamed}: ")
    )
