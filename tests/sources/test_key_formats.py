"""Key formats: the keys a source is sent in its own form, its answers matched back to ours.

Against a real aiohttp server on 127.0.0.1 (``test_rest``'s fake source): the
test pins what went over the wire and under which key each record came back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sources.config import parse_sources_config
from sources.errors import ConfigError, SourceBadResponse
from tests.sources.test_rest import FakeSource, connect, contacts, fake, rest_source

__all__ = ["connect", "fake"]


def by_phone(key_format: Any) -> dict[str, Any]:
    return {
        "phone": {
            "path": "/contacts",
            "query": {"phones": "{keys}"},
            "match_on": "phone",
            "key_format": key_format,
        }
    }


async def test_national_phones_are_sent_and_answers_filed_under_the_e164_keys_asked(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: {
        "data": [
            {"id": "c2", "phone": "2025550143"},
            {"id": "c1", "phone": "5551234567"},
        ]
    }
    crm = await connect(rest_source(fake.url, contacts(by_phone("national"))))

    answers = await crm.fetch("contacts", "phone", ["+15551234567", "+12025550143"], timeout_s=5)

    assert fake.seen[0].query == {"phones": "5551234567,2025550143"}
    assert [[r["id"] for r in a] for a in answers] == [["c1"], ["c2"]]


async def test_digits_format_sends_e164_without_plus(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: {"data": [{"id": "c1", "phone": "15551234567"}]}
    crm = await connect(rest_source(fake.url, contacts(by_phone("digits"))))

    (answer,) = await crm.fetch("contacts", "phone", ["+15551234567"], timeout_s=5)

    assert fake.seen[0].query == {"phones": "15551234567"}
    assert [r["id"] for r in answer] == ["c1"]


async def test_prefix_stripped_and_case_changed_records_echoing_the_sent_form_match(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: {
        "data": [
            {"id": "r2", "customer": "B2"},
            {"id": "r1", "customer": "a1"},  # echoed in another case: still a1's
            {"id": "r9", "customer": "Z9"},  # nobody asked: dropped, not filed
        ]
    }
    lookup = {
        "id": {
            "path": "/contacts",
            "query": {"ids": "{keys}"},
            "match_on": "customer",
            "key_format": {"strip_prefix": "oc-", "case": "upper"},
        }
    }
    crm = await connect(rest_source(fake.url, contacts(lookup)))

    answers = await crm.fetch("contacts", "id", ["oc-a1", "oc-b2", "oc-c3"], timeout_s=5)

    assert fake.seen[0].query == {"ids": "A1,B2,C3"}
    assert [[r["id"] for r in a] for a in answers] == [["r1"], ["r2"], []]


async def test_a_sent_form_two_keys_share_is_filed_under_neither(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: {"data": [{"id": "r1", "customer": "AB"}]}
    lookup = {
        "id": {
            "path": "/contacts",
            "query": {"ids": "{keys}"},
            "match_on": "customer",
            "key_format": "upper",
        }
    }
    crm = await connect(rest_source(fake.url, contacts(lookup)))

    answers = await crm.fetch("contacts", "id", ["ab", "Ab"], timeout_s=5)

    assert answers == [[], []]


async def test_prefix_and_suffix_are_added_in_paths_too(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: {"data": [{"id": "1"}]}
    lookup = {"id": {"path": "/contacts/{key}", "key_format": {"prefix": "C-", "suffix": ".v2"}}}
    crm = await connect(rest_source(fake.url, contacts(lookup)))

    (answer,) = await crm.fetch("contacts", "id", ["17"], timeout_s=5)

    assert fake.seen[0].path == "/contacts/C-17.v2"
    assert answer == [{"id": "1"}]


async def test_positional_echo_of_the_sent_form_is_this_keys_and_another_is_an_error(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: {"data": [{"n": "5551234567"}, {"n": "5551234567"}]}
    lookup = {
        "phone": {
            "path": "/contacts",
            "query": {"phones": "{keys}"},
            "match_on": "position",
            "echo": {"key": "n"},
            "key_format": "national",
        }
    }
    crm = await connect(rest_source(fake.url, contacts(lookup)))

    first, second = await crm.fetch(
        "contacts", "phone", ["+15551234567", "+12025550143"], timeout_s=5
    )

    assert first == [{"n": "5551234567"}]
    assert isinstance(second, SourceBadResponse)


@pytest.mark.parametrize(
    ("key_format", "kind", "expected"),
    [
        ("nationl", "phone", "unknown key format 'nationl'"),
        ({"case": "title"}, "phone", "case"),
        ({"phone": "national"}, "email", "a phone format is for phone lookups"),
        ({"prefixx": "x"}, "email", "prefixx"),
        ("upper", "location", "a location key is sent by its parts"),
    ],
)
def test_bad_key_formats_fail_at_load_naming_source_entity_and_lookup(
    key_format: Any, kind: str, expected: str
) -> None:
    lookup = {kind: {"path": "/c", "query": {"k": "{keys}"}, "match_on": kind}}
    lookup[kind]["key_format"] = key_format
    raw = {"kind": "rest", "base_url": "http://x", "entities": {"contacts": contacts(lookup)}}
    with pytest.raises(ConfigError) as caught:
        parse_sources_config({"sources": {"crm": raw}}, origin="sources.yaml")
    message = str(caught.value)
    assert "sources.yaml" in message
    assert "source 'crm'" in message
    assert f"entities.contacts.lookups.{kind}.key_format" in message
    assert expected in message


def test_key_format_on_a_sql_lookup_is_refused() -> None:
    raw = {
        "kind": "sql",
        "dsn": "sqlite+aiosqlite:///x.db",
        "entities": {
            "contacts": {
                "serves": "contacts",
                "lookups": {
                    "id": {
                        "sql": "SELECT * FROM t WHERE id IN :keys",
                        "match_on": "id",
                        "key_format": "upper",
                    }
                },
                "fields": {"id": "id"},
            }
        },
    }
    with pytest.raises(ConfigError, match="key_format': not used by a sql source"):
        parse_sources_config({"sources": {"db": raw}})
