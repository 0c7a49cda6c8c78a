"""Grouped answers (the key on the group, records inside) and keys sent as repeated parameters.

Against a real aiohttp server on 127.0.0.1 (``test_rest``'s fake source).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY

from sources.config import parse_sources_config
from sources.errors import ConfigError, SourceBadResponse
from tests.sources.test_rest import FakeSource, connect, contacts, fake, rest_source

__all__ = ["connect", "fake"]

GROUPED = {
    "id": {
        "path": "/orders/batch",
        "query": {"customer_ids": "{keys}"},
        "group": {"at": "", "key": "customer_id", "records": "orders"},
    }
}


def dropped(reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "c360_source_records_dropped_total",
        {"source": "crm", "entity": "contacts", "reason": reason},
    )
    return value or 0.0


async def test_each_group_is_filed_under_the_key_it_names_and_an_unasked_group_is_dropped(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: [
        {"customer_id": "oc-2", "orders": [{"id": "o3"}]},
        {"customer_id": "oc-666", "orders": [{"id": "stranger"}]},
        {"customer_id": "oc-1", "orders": [{"id": "o1"}, {"id": "o2"}]},
    ]
    before = dropped("unasked_group")
    crm = await connect(rest_source(fake.url, contacts(GROUPED)))

    answers = await crm.fetch("contacts", "id", ["oc-1", "oc-2", "oc-3"], timeout_s=5)

    assert [[r["id"] for r in a] for a in answers] == [["o1", "o2"], ["o3"], []]
    assert dropped("unasked_group") == before + 1


async def test_groups_naming_the_sent_form_are_matched_back_through_the_key_format(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: [{"customer_id": "OC-1", "orders": {"id": "only"}}]
    lookup = {"id": {**GROUPED["id"], "key_format": "upper"}}
    crm = await connect(rest_source(fake.url, contacts(lookup)))

    (answer,) = await crm.fetch("contacts", "id", ["oc-1"], timeout_s=5)

    assert fake.seen[0].query == {"customer_ids": "OC-1"}
    assert answer == [{"id": "only"}]


async def test_groups_in_the_order_asked_without_a_key(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: {"results": [{"items": [{"id": "a"}]}, {"items": []}]}
    lookup = {
        "id": {
            "path": "/orders",
            "query": {"ids": "{keys}"},
            "match_on": "position",
            "group": {"at": "results", "records": "items"},
        }
    }
    crm = await connect(rest_source(fake.url, contacts(lookup)))

    assert await crm.fetch("contacts", "id", ["k1", "k2"], timeout_s=5) == [[{"id": "a"}], []]
    with pytest.raises(SourceBadResponse, match="answered 2 groups for 3 keys"):
        await crm.fetch("contacts", "id", ["k1", "k2", "k3"], timeout_s=5)


async def test_a_group_whose_records_are_not_records_fails_its_key_only(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: [
        {"customer_id": "oc-1", "orders": "oops"},
        {"customer_id": "oc-2", "orders": [{"id": "o2"}]},
    ]
    crm = await connect(rest_source(fake.url, contacts(GROUPED)))

    first, second = await crm.fetch("contacts", "id", ["oc-1", "oc-2"], timeout_s=5)

    assert isinstance(first, SourceBadResponse)
    assert "group.records" in first.detail
    assert second == [{"id": "o2"}]


async def test_groups_none_of_which_names_a_key_is_a_bad_response(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: [{"cust": "oc-1", "orders": []}]
    crm = await connect(rest_source(fake.url, contacts(GROUPED)))

    with pytest.raises(SourceBadResponse, match="'customer_id'"):
        await crm.fetch("contacts", "id", ["oc-1"], timeout_s=5)


async def test_repeated_parameter_keys_are_sent_as_id_a_and_id_b(
    fake: FakeSource, connect: Callable[..., Any]
) -> None:
    fake.answer = lambda request: {"data": [{"id": "b"}, {"id": "a&x"}]}
    lookup = {
        "id": {
            "path": "/contacts",
            "query": {"id": "{keys*}", "fields": "all"},
            "match_on": "id",
        }
    }
    crm = await connect(rest_source(fake.url, contacts(lookup)))

    answers = await crm.fetch("contacts", "id", ["a&x", "b"], timeout_s=5)

    assert fake.seen[0].raw_path == "/contacts?id=a%26x&id=b&fields=all"
    assert answers == [[{"id": "a&x"}], [{"id": "b"}]]


@pytest.mark.parametrize(
    ("lookup", "field", "expected"),
    [
        ({"group": {"records": "orders"}}, "group.key", "required"),
        (
            {"group": {"key": "customer_id", "records": "orders"}, "match_on": "id"},
            "match_on",
            "not with group.key",
        ),
        ({"group": {"key": "customer_id"}}, "group.records", "Field required"),
    ],
)
def test_bad_group_config_fails_at_load_naming_the_lookup(
    lookup: dict[str, Any], field: str, expected: str
) -> None:
    entity = contacts({"id": {"path": "/orders", "query": {"ids": "{keys}"}, **lookup}})
    raw = {"kind": "rest", "base_url": "http://x", "entities": {"contacts": entity}}
    with pytest.raises(ConfigError) as caught:
        parse_sources_config({"sources": {"crm": raw}})
    assert f"source 'crm', field 'entities.contacts.lookups.id.{field}'" in str(caught.value)
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("lookup", "field"),
    [
        ({"path": "/orders/{keys*}", "match_on": "id"}, "path"),
        ({"path": "/orders", "query": {"ids": "x{keys*}"}, "match_on": "id"}, "query.ids"),
    ],
)
def test_repeated_keys_outside_a_whole_query_value_fail_at_load(
    lookup: dict[str, Any], field: str
) -> None:
    raw = {
        "kind": "rest",
        "base_url": "http://x",
        "entities": {"contacts": contacts({"id": lookup})},
    }
    with pytest.raises(ConfigError) as caught:
        parse_sources_config({"sources": {"crm": raw}})
    assert f"field 'entities.contacts.lookups.id.{field}': '{{keys*}}'" in str(caught.value)
