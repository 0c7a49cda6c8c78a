"""Identity resolution over a CRM: who each id is, in the order asked, from one request."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from resolvers.process.identity import find_people
from resolvers.system.customer_loaders import CustomerLoaders
from resolvers.system.loaders import SystemLoaders
from resolvers.system.runtime import SourceRuntime
from sources.config import parse_sources_config
from sources.errors import SourceUnavailable

CONFIG = {
    "sources": {
        "crm": {
            "kind": "rest",
            "base_url": "http://crm.invalid",
            "entities": {
                "contacts": {
                    "serves": "customer",
                    "lookups": {
                        "id": {"path": "/contacts", "query": {"ids": "{keys}"}, "match_on": "id"}
                    },
                    "fields": {"id": "id", "created_at": "created_at"},
                }
            },
        }
    }
}


class FakeCrm:
    """Answers contacts by id; ``failing`` ids answer the source's error in their place."""

    def __init__(self, contacts: dict[str, list[dict[str, Any]]], failing: set[str]) -> None:
        self.contacts = contacts
        self.failing = failing
        self.batches: list[list[str]] = []

    async def fetch(
        self, entity: str, kind: str, keys: Sequence[str], *, timeout_s: float
    ) -> list[list[dict[str, Any]] | Exception]:
        self.batches.append(list(keys))
        await asyncio.sleep(0)
        return [
            SourceUnavailable("crm", "answered HTTP 503", entity=entity)
            if key in self.failing
            else self.contacts.get(key, [])
            for key in keys
        ]


def loaders_over(crm: FakeCrm) -> CustomerLoaders:
    runtime = SourceRuntime.from_config(parse_sources_config(CONFIG))
    runtime.connectors["crm"] = crm  # type: ignore[assignment]
    return CustomerLoaders.over(SystemLoaders(runtime, asyncio.get_running_loop().time() + 5))


async def test_people_come_back_in_the_order_asked_from_one_batch() -> None:
    crm = FakeCrm(
        {
            "C-2": [
                {"id": "C-2", "created_at": "2024-01-01T00:00:00Z"},
                {"id": "C-2", "created_at": "2020-01-01T00:00:00Z"},
            ],
            "C-1": [{"id": "C-1"}],
        },
        failing=set(),
    )
    people = await find_people(loaders_over(crm), ["C-2", "C-9", "C-1", "C-2"])
    assert [p.primary.id if p else None for p in people] == ["C-2", None, "C-1", "C-2"]
    first = people[0]
    assert first is not None and first.matched_on == "id" and len(first.profiles) == 2
    assert first.primary.created_at is not None and first.primary.created_at.year == 2020
    assert crm.batches == [["C-2", "C-9", "C-1"]]


async def test_a_failed_lookup_fails_the_list_with_the_source_error() -> None:
    crm = FakeCrm({"C-1": [{"id": "C-1"}]}, failing={"C-2", "C-3"})
    with pytest.raises(SourceUnavailable, match="answered HTTP 503"):
        await find_people(loaders_over(crm), ["C-1", "C-2", "C-3"])
    assert len(crm.batches) == 1
