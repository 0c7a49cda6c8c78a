"""Links in the source config: validated at load, mapped into records, asked by first, chained."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from typing import Any

import pytest

from resolvers.process.errors import InvalidLookup
from resolvers.process.identity import Person, UnlinkedSystem, find_person, lookup_of
from resolvers.system.customer_loaders import CustomerLoaders
from resolvers.system.loaders import SystemLoaders
from resolvers.system.mapping import build_mappers
from resolvers.system.records import CrossReference, CustomerProfile
from resolvers.system.runtime import SourceRuntime
from sources.config import parse_sources_config
from sources.errors import ConfigError, SourceBadResponse


def _rest(entities: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "rest", "base_url": "http://system.invalid", "entities": entities}


def _by(kind: str, field: str) -> dict[str, Any]:
    return {kind: {"path": "/records", "query": {"keys": "{keys}"}, "match_on": field}}


def _orders(lookups: dict[str, Any], links: dict[str, Any] | None = None) -> dict[str, Any]:
    entity = {
        "serves": "orders",
        "lookups": lookups,
        "fields": {"id": "id", "placed_at": "at", "total": "total"},
    }
    return {**entity, "links": links} if links else entity


CONFIG: dict[str, Any] = {
    "sources": {
        "crm": _rest({"contacts": {
            "serves": "customer",
            "links": {"shop": {"from": "ids.shop"}},
            "lookups": {**_by("id", "id"), **_by("link:shop", "ids.shop")},
            "fields": {"id": "id", "email": "email"},
        }}),
        # Asked by the link when the customer has one, else by email.
        "shop": _rest({"orders": _orders({**_by("email", "email"), **_by("link", "customer")},
                                         {"outlet": {"from": "outlet_customer"}})}),
        "outlet": _rest({"orders": _orders(_by("link", "customer"), {"depot": {"from": "depot"}})}),
        "depot": _rest({"orders": _orders(_by("link", "customer"), {"yard": {"from": "yard"}})}),
        "yard": _rest({"orders": _orders(_by("link", "customer"))}),
        "mail": _rest({"orders": _orders(_by("email", "email"))}),
    }
}  # fmt: skip


def _config_error(edit: Any) -> str:
    raw = copy.deepcopy(CONFIG)
    edit(raw["sources"])
    with pytest.raises(ConfigError) as caught:
        config = parse_sources_config(raw, origin="links.yaml")
        build_mappers(config)
    return str(caught.value)


def test_a_link_to_a_system_that_does_not_exist_names_source_entity_and_field() -> None:
    def edit(sources: dict[str, Any]) -> None:
        sources["crm"]["entities"]["contacts"]["links"]["shopp"] = {"from": "x"}

    message = _config_error(edit)
    assert "links.yaml" in message
    assert "source 'crm', entity 'contacts', field 'links.shopp'" in message
    assert "no source named 'shopp'" in message


def test_a_link_lookup_nobody_links_to_is_an_error() -> None:
    def edit(sources: dict[str, Any]) -> None:
        sources["mail"]["entities"]["orders"]["lookups"].update(_by("link", "customer"))

    message = _config_error(edit)
    assert "source 'mail', entity 'orders', field 'lookups.link'" in message
    assert "no entity declares a link to 'mail'" in message


def test_a_lookup_by_a_link_the_entity_does_not_declare_is_an_error() -> None:
    def edit(sources: dict[str, Any]) -> None:
        sources["crm"]["entities"]["contacts"]["lookups"].update(_by("link:depot", "x"))

    message = _config_error(edit)
    assert "source 'crm', field 'entities.contacts.lookups.link:depot'" in message
    assert "needs links.depot" in message


def test_unknown_lookup_kinds_are_still_refused_and_the_message_lists_link() -> None:
    def edit(sources: dict[str, Any]) -> None:
        sources["crm"]["entities"]["contacts"]["lookups"].update(_by("linked", "x"))

    message = _config_error(edit)
    assert "unknown lookup kind ['linked']" in message and "'link:<system>'" in message


def test_links_on_a_record_that_cannot_carry_them_are_an_error() -> None:
    def edit(sources: dict[str, Any]) -> None:
        sources["crm"]["entities"]["cuts"] = {
            "serves": "rfm_cutpoints",
            "links": {"shop": {"from": "x"}},
            "lookups": _by("all", "x"),
            "fields": {"as_of": "a", "recency_days": "r", "frequency": "f", "monetary": "m"},
        }

    message = _config_error(edit)
    assert "source 'crm', entity 'cuts', field 'links'" in message


def test_link_fields_map_to_cross_references_and_a_missing_one_is_no_link() -> None:
    mapper = build_mappers(parse_sources_config(CONFIG))[("crm", "contacts")]
    linked, unlinked, empty, number = mapper.map_many(
        [
            {"id": "C-1", "ids": {"shop": " s-1 "}},
            {"id": "C-2"},
            {"id": "C-3", "ids": {"shop": ""}},
            {"id": "C-4", "ids": {"shop": 17}},
        ]
    )
    assert linked.links == (CrossReference("shop", "s-1", "crm.ids.shop"),)
    assert unlinked.links == () and empty.links == ()
    assert number.links == (CrossReference("shop", "17", "crm.ids.shop"),)
    with pytest.raises(SourceBadResponse, match=r"'ids\.shop' expected text"):
        mapper.map_many([{"id": "C-5", "ids": {"shop": {"nested": 1}}}])


def test_person_keys_put_every_linked_id_first_once_and_identities_list_them() -> None:
    ref = CrossReference("shop", "s-1", "crm.ids.shop")
    primary = CustomerProfile("crm", "C-1", email="a@example.com", links=(ref,))
    other = CustomerProfile(
        "crm2", "X-1", links=(CrossReference("shop", "s-1", "crm2.shop"),
                              CrossReference("shop", "s-2", "crm2.shop"))
    )  # fmt: skip
    person = Person(primary, (primary, other), "email")
    assert next(iter(person.keys.by_kind)) == "link"
    assert person.keys.links == {"shop": ["s-1", "s-2"]}
    assert [(i.system, i.record_id, i.matched_on, i.confidence) for i in person.identities] == [
        ("crm", "C-1", "email", 0.95),
        ("crm2", "X-1", "email", 0.95),
        ("shop", "s-1", "crm.ids.shop", 1.0),
        ("shop", "s-2", "crm2.shop", 1.0),
    ]
    assert "link" not in Person(CustomerProfile("crm", "C-9"), (), "id").keys.by_kind


class Systems:
    """Every source's connector: records by (source, key); calls noted as (source, kind, keys)."""

    def __init__(self, records: dict[tuple[str, str], list[dict[str, Any]]]) -> None:
        self.records = records
        self.calls: list[tuple[str, str, list[str]]] = []

    def connector(self, source: str) -> Any:
        systems = self

        class Connector:
            async def fetch(
                self, entity: str, kind: str, keys: Sequence[str], *, timeout_s: float
            ) -> list[list[dict[str, Any]]]:
                systems.calls.append((source, kind, list(keys)))
                await asyncio.sleep(0)
                return [systems.records.get((source, key), []) for key in keys]

        return Connector()


def _loaders(systems: Systems) -> CustomerLoaders:
    runtime = SourceRuntime.from_config(parse_sources_config(CONFIG))
    for name in runtime.connectors:
        runtime.connectors[name] = systems.connector(name)
    deadline = asyncio.get_running_loop().time() + 5
    return CustomerLoaders.over(SystemLoaders(runtime, deadline))


def _order(number: str, **links: str) -> dict[str, Any]:
    return {"id": number, "at": "2026-11-01T00:00:00Z", "total": 1, **links}


SYSTEMS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("crm", "C-1"): [{"id": "C-1", "email": "a@example.com", "ids": {"shop": "s-1"}}],
    ("crm", "s-1"): [{"id": "C-1", "email": "a@example.com", "ids": {"shop": "s-1"}}],
    ("crm", "C-2"): [{"id": "C-2", "email": "b@example.com"}],
    ("shop", "s-1"): [_order("S-1", outlet_customer="o-1")],
    ("shop", "b@example.com"): [_order("S-2")],
    ("outlet", "o-1"): [_order("O-1", depot="d-1")],
    ("depot", "d-1"): [_order("D-1", yard="y-1")],
    ("mail", "a@example.com"): [_order("M-1")],
}


async def test_links_are_asked_first_chained_three_deep_and_every_system_once() -> None:
    systems = Systems(SYSTEMS)
    loaders = _loaders(systems)
    person = await find_person(loaders, "id", "C-1")
    assert person is not None
    # CRM -> shop (1) -> outlet (2) -> depot (3); the depot's yard is a fourth hop: not followed.
    assert person.keys.links == {"shop": ["s-1"], "outlet": ["o-1"], "depot": ["d-1"]}
    assert [(i.system, i.matched_on) for i in person.identities][1:] == [
        ("shop", "crm.ids.shop"),
        ("outlet", "shop.outlet_customer"),
        ("depot", "outlet.depot"),
    ]
    orders = await loaders.orders.load(person.keys)
    assert sorted(o.id for o in orders) == ["D-1", "M-1", "O-1", "S-1"]
    assert sorted((s, kind, keys) for s, kind, keys in systems.calls) == [
        ("crm", "id", ["C-1"]),
        ("depot", "link", ["d-1"]),
        ("mail", "email", ["a@example.com"]),
        ("outlet", "link", ["o-1"]),
        ("shop", "link", ["s-1"]),  # by the link, not by the email it also has
    ]


async def test_without_a_linked_id_a_source_is_asked_by_its_next_key() -> None:
    systems = Systems(SYSTEMS)
    loaders = _loaders(systems)
    person = await find_person(loaders, "id", "C-2")
    assert person is not None and person.keys.links == {}
    assert [o.id for o in await loaders.orders.load(person.keys)] == ["S-2"]
    assert ("shop", "email", ["b@example.com"]) in systems.calls


async def test_another_systems_id_is_found_through_the_crm_field_holding_it() -> None:
    systems = Systems(SYSTEMS)
    loaders = _loaders(systems)
    assert lookup_of(loaders, "id", "shop:s-1") == ("link:shop", "s-1")
    assert lookup_of(loaders, "id", "crm:C-1") == ("id", "C-1")
    assert lookup_of(loaders, "id", "nowhere:C-1") == ("id", "nowhere:C-1")
    assert lookup_of(loaders, "id", "shop:") == ("id", "shop:")
    assert lookup_of(loaders, "email", "shop:x@example.com") == ("email", "shop:x@example.com")
    person = await find_person(loaders, "id", "shop:s-1")
    assert person is not None and person.primary.id == "C-1"
    assert person.identities[0].matched_on == "link:shop"
    assert person.identities[0].confidence == 1.0
    with pytest.raises(InvalidLookup) as too_long:
        await find_person(loaders, "id", "shop:" + "x" * 5000)
    assert too_long.value.extensions["argument"] == "id"
    with pytest.raises(UnlinkedSystem) as caught:
        lookup_of(loaders, "id", "outlet:o-1")
    assert caught.value.extensions == {"code": "BAD_USER_INPUT", "argument": "id"}
    assert "'outlet'" in str(caught.value) and "'link:outlet'" in str(caught.value)
