"""The source config's ``identity:`` section and search lookups: bad values name where they are."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from resolvers.system.mapping import build_mappers
from sources.config import parse_sources_config
from sources.errors import ConfigError
from sources.keys import normalize_key


def contact_book(identity: dict[str, Any] | None = None, born: Any = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"id": "key", "last_name": "name.family"}
    if born is not None:
        fields["birth_date"] = born
    raw: dict[str, Any] = {
        "sources": {
            "book": {
                "kind": "rest",
                "base_url": "http://book.invalid",
                "entities": {
                    "people": {
                        "serves": "customer",
                        "lookups": {
                            "id": {
                                "path": "/people",
                                "query": {"keys": "{keys}"},
                                "match_on": "key",
                            },
                            "surname_soundex": {
                                "path": "/search",
                                "query": {"sounds": "{keys}"},
                                "group": {"at": "results", "key": "asked", "records": "people"},
                            },
                        },
                        "fields": fields,
                    }
                },
            }
        }
    }
    if identity is not None:
        raw["identity"] = identity
    return raw


def test_thresholds_and_region_are_read_and_checked() -> None:
    config = parse_sources_config(contact_book({"match_threshold": 0.95, "default_region": "GB"}))
    assert config.identity.match_threshold == 0.95 and config.identity.default_region == "GB"
    with pytest.raises(ConfigError, match=r"identity\.match_threshold"):
        parse_sources_config(contact_book({"match_threshold": 1.5}))
    with pytest.raises(ConfigError, match="candidate_threshold must not be above"):
        parse_sources_config(contact_book({"match_threshold": 0.6, "candidate_threshold": 0.7}))


def test_a_date_written_day_first_is_read_by_its_format() -> None:
    config = parse_sources_config(contact_book(born={"from": "born", "format": "%d/%m/%Y"}))
    mapper = build_mappers(config)[("book", "people")]
    record = mapper.map_one({"key": "K-1", "name": {"family": "LOPEZ"}, "born": "14/03/1985"})
    assert record.birth_date == date(1985, 3, 14)
    with pytest.raises(ValueError, match=r"expected a date written %d/%m/%Y"):
        mapper.map_one({"key": "K-1", "name": {"family": "LOPEZ"}, "born": "1985-03-14"})


def test_a_format_on_a_field_that_is_no_date_stops_the_start() -> None:
    raw = contact_book()
    raw["sources"]["book"]["entities"]["people"]["fields"]["last_name"] = {
        "from": "name.family",
        "format": "%d/%m/%Y",
    }
    with pytest.raises(
        ConfigError, match=r"field 'fields\.last_name\.format': only a date or time field"
    ):
        build_mappers(parse_sources_config(raw))


@pytest.mark.parametrize(
    ("kind", "value", "key"),
    [
        ("surname", "  LÓPEZ  Díaz ", "lópez díaz"),
        ("postcode", "62701", "62701"),
        ("surname_soundex", "l120", "L120"),
        ("birth_date", date(1985, 3, 14), "1985-03-14"),
        ("birth_date", "14/03/1985", None),
        ("given_name", "x" * 2000, None),
    ],
)
def test_search_values_are_compared_in_one_form(kind: str, value: object, key: str | None) -> None:
    assert normalize_key(kind, value) == key
