"""Matching a batch answer back to its keys: per key in order, exactly that key's records."""

from __future__ import annotations

from typing import Any

from sources.matching import match_records, records_by_key
from sources.records_path import records_at, value_at


def test_each_key_gets_its_records_in_key_order_whatever_the_answers_order() -> None:
    records = [
        {"email": "bob@example.org", "n": 1},
        {"email": "ann@example.com", "n": 2},
        {"email": "bob@example.org", "n": 3},
    ]
    found = records_by_key(records, ["ann@example.com", "bob@example.org"], "email", "email")
    assert found == [[records[1]], [records[0], records[2]]]


def test_records_match_whatever_spelling_the_source_stored() -> None:
    records = [
        {"email": "  Ann@Example.COM"},
        {"phone": "(415) 555-0132"},
    ]
    [by_email] = records_by_key(records[:1], ["ann@example.com"], "email", "email")
    [by_phone] = records_by_key(records[1:], ["+14155550132"], "phone", "phone")
    assert by_email == records[:1] and by_phone == records[1:]


def test_a_key_no_record_matches_gets_an_empty_list_and_keeps_its_place() -> None:
    records = [{"id": "C-2"}]
    assert records_by_key(records, ["C-1", "C-2", "C-3"], "id", "id") == [[], records, []]


def test_records_matching_no_key_are_dropped() -> None:
    records = [{"id": "C-1"}, {"id": "C-999"}]
    assert records_by_key(records, ["C-1"], "id", "id") == [[{"id": "C-1"}]]


def test_records_without_the_match_field_match_no_key() -> None:
    records: list[dict[str, Any]] = [{"name": "no id"}, {"id": None}, {"id": ""}, {"id": "C-1"}]
    assert records_by_key(records, ["C-1"], "id", "id") == [[{"id": "C-1"}]]


def test_match_on_follows_a_dotted_path_into_nested_objects() -> None:
    records: list[dict[str, Any]] = [
        {"customer": {"contact": {"email": "Ann@example.com"}}, "n": 1},
        {"customer": {"contact": {}}, "n": 2},
        {"customer": "not an object", "n": 3},
    ]
    found = records_by_key(records, ["ann@example.com"], "email", "customer.contact.email")
    assert found == [[records[0]]]


def test_match_on_can_index_into_a_list() -> None:
    records: list[dict[str, Any]] = [
        {"emails": ["Ann@example.com", "ann.work@example.com"]},
        {"emails": []},
    ]
    assert records_by_key(records, ["ann@example.com"], "email", "emails.0") == [[records[0]]]


def test_a_numeric_id_in_the_answer_matches_its_text_key() -> None:
    records = [{"account": {"number": 42}}]
    assert records_by_key(records, ["42"], "id", "account.number") == [records]


def test_the_same_key_asked_twice_gets_the_records_twice() -> None:
    records = [{"id": "C-1"}]
    assert records_by_key(records, ["C-1", "C-1"], "id", "id") == [records, records]


def test_value_at_reads_dotted_paths_and_defaults_where_a_step_is_missing() -> None:
    record = {"current": {"temperature_2m": 12.5}, "lines": [{"sku": "A"}]}
    assert value_at(record, "current.temperature_2m") == 12.5
    assert value_at(record, "lines.0.sku") == "A"
    assert value_at(record, "lines.1.sku", "none") == "none"
    assert value_at(record, "current.wind", "none") == "none"
    assert value_at(record, "current.temperature_2m.deeper", "none") == "none"


def test_records_at_finds_the_list_and_reads_a_single_object_as_a_list_of_one() -> None:
    assert records_at({"data": {"items": [{"id": 1}]}}, "data.items") == [{"id": 1}]
    assert records_at({"latitude": 52.5}, "") == [{"latitude": 52.5}]
    assert records_at([{"id": 1}, {"id": 2}], "") == [{"id": 1}, {"id": 2}]


def test_records_at_is_none_where_there_is_no_list_of_objects() -> None:
    assert records_at({"data": "oops"}, "data") is None
    assert records_at({"data": [1, 2]}, "data") is None
    assert records_at({"other": []}, "data") is None
    assert records_at(None, "") is None


def test_a_repeated_key_is_matched_the_same_in_every_spelling_and_a_bad_one_is_dropped() -> None:
    # A customer's dozen orders repeat their key: each text is normalized once per batch,
    # and every spelling, every repeat, every non-text value still lands where it belongs.
    records = [
        {"email": "Ann@Example.com", "n": 1},
        {"email": "ann@example.com", "n": 2},
        {"email": "Ann@Example.com", "n": 3},
        {"email": "not an email", "n": 4},
        {"email": "not an email", "n": 5},
        {"email": 42, "n": 6},
        {"email": "bob@example.org", "n": 7},
    ]
    matched = match_records(records, ["ann@example.com", "bob@example.org"], "email", "email")
    assert [[r["n"] for r in key] for key in matched.by_key] == [[1, 2, 3], [7]]
    assert matched.keyless == 3 and matched.unasked == 0
