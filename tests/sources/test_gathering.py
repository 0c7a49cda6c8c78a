"""Small calls of concurrent requests to one lookup, made in the same turn, are one source call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from prometheus_client import REGISTRY

from sources.base import RawRecord
from sources.breaker import Breakers
from sources.cache import MemoryCache
from sources.config import SourceBase
from sources.errors import SourceTimeout, SourceUnavailable
from sources.gathering import FLIGHT_KEYS, GATHERED_KEYS
from sources.resilient import ResilientConnector


class Helpdesk:
    """A source that records each call's keys; ``hold`` keeps every call waiting until set."""

    name = "helpdesk"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.hold: asyncio.Event | None = None
        self.fail = False

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def fetch(
        self, entity: str, kind: str, keys: Sequence[str], *, timeout_s: float
    ) -> list[list[RawRecord]]:
        self.calls.append(list(keys))
        if self.hold is not None:
            await self.hold.wait()
        if self.fail:
            raise SourceUnavailable(self.name, "answered HTTP 503", entity=entity)
        return [[{"id": f"T-{key}", "requester": key}] for key in keys]


def helpdesk_config(max_batch: int = 200) -> SourceBase:
    return SourceBase.model_validate(
        {
            "timeout_ms": 2000,
            "resilience": {"retries": 0, "breaker": {"failures": 5, "cooldown_s": 30}},
            "entities": {
                "tickets": {
                    "serves": "tickets",
                    "lookups": {
                        "email": {"path": "/tickets", "max_batch": max_batch},
                        "id": {"path": "/tickets/{key}"},
                    },
                    "fields": {"id": "id"},
                }
            },
        }
    )


@pytest.fixture
def helpdesk() -> Helpdesk:
    return Helpdesk()


async def connector_for(helpdesk: Helpdesk, max_batch: int = 200) -> ResilientConnector:
    connector = ResilientConnector(helpdesk, helpdesk_config(max_batch), Breakers(), MemoryCache())
    await connector.start()
    return connector


@pytest.fixture
async def desk(helpdesk: Helpdesk) -> AsyncIterator[ResilientConnector]:
    connector = await connector_for(helpdesk)
    yield connector
    await connector.close()


async def tickets(
    connector: ResilientConnector, keys: list[str], kind: str = "email", timeout_s: float = 2.0
) -> list[Any]:
    return await connector.fetch("tickets", kind, keys, timeout_s=timeout_s)


def gathered() -> float:
    value = REGISTRY.get_sample_value("c360_source_gathered_total", {"source": "helpdesk"})
    return value or 0.0


def requesters(answer: list[Any]) -> list[list[str]]:
    return [[record["requester"] for record in records] for records in answer]


async def test_callers_in_the_same_turn_share_one_call_and_each_gets_its_own_keys(
    desk: ResilientConnector, helpdesk: Helpdesk
) -> None:
    before = gathered()
    answers = await asyncio.gather(
        tickets(desk, ["ann@example.com"]),
        tickets(desk, ["bob@example.com", "cy@example.com"]),
        tickets(desk, ["cy@example.com"]),
    )
    assert helpdesk.calls == [["ann@example.com", "bob@example.com", "cy@example.com"]]
    assert gathered() == before + 2  # two calls saved
    assert [requesters(a) for a in answers] == [
        [["ann@example.com"]],
        [["bob@example.com"], ["cy@example.com"]],
        [["cy@example.com"]],
    ]
    assert desk.status.calls == 1


async def test_callers_in_later_turns_make_calls_of_their_own(
    desk: ResilientConnector, helpdesk: Helpdesk
) -> None:
    await tickets(desk, ["ann@example.com"])
    await tickets(desk, ["bob@example.com"])
    assert helpdesk.calls == [["ann@example.com"], ["bob@example.com"]]


async def test_a_call_of_many_keys_flies_alone(
    desk: ResilientConnector, helpdesk: Helpdesk
) -> None:
    many = [f"c{n}@example.com" for n in range(GATHERED_KEYS + 1)]
    await asyncio.gather(tickets(desk, many), tickets(desk, ["ann@example.com"]))
    assert sorted(helpdesk.calls, key=len) == [["ann@example.com"], many]


async def test_a_gathered_call_asks_at_most_the_flight_limit_or_max_batch(
    helpdesk: Helpdesk,
) -> None:
    keys = [f"c{n}@example.com" for n in range(FLIGHT_KEYS + 3)]
    desk = await connector_for(helpdesk)
    try:
        await asyncio.gather(*(tickets(desk, [key]) for key in keys))
    finally:
        await desk.close()
    assert [len(call) for call in helpdesk.calls] == [FLIGHT_KEYS, 3]
    assert [key for call in helpdesk.calls for key in call] == keys
    helpdesk.calls.clear()
    small_batches = await connector_for(helpdesk, max_batch=4)
    try:
        await asyncio.gather(*(tickets(small_batches, [key]) for key in keys[:10]))
    finally:
        await small_batches.close()
    assert [len(call) for call in helpdesk.calls] == [4, 4, 2]


async def test_a_lookup_of_one_request_per_key_is_not_gathered(
    desk: ResilientConnector, helpdesk: Helpdesk
) -> None:
    await asyncio.gather(tickets(desk, ["T1"], kind="id"), tickets(desk, ["T2"], kind="id"))
    assert sorted(helpdesk.calls) == [["T1"], ["T2"]]


async def test_one_caller_leaving_does_not_take_the_others_keys_away(
    desk: ResilientConnector, helpdesk: Helpdesk
) -> None:
    leaving = asyncio.create_task(tickets(desk, ["ann@example.com"]))
    staying = asyncio.create_task(tickets(desk, ["bob@example.com"]))
    await asyncio.sleep(0)
    leaving.cancel()
    assert requesters(await staying) == [["bob@example.com"]]
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert helpdesk.calls == [["ann@example.com", "bob@example.com"]]


async def test_each_caller_waits_no_longer_than_its_own_budget(
    desk: ResilientConnector, helpdesk: Helpdesk
) -> None:
    helpdesk.hold = asyncio.Event()
    patient = asyncio.create_task(tickets(desk, ["ann@example.com"], timeout_s=2.0))
    impatient = asyncio.create_task(tickets(desk, ["bob@example.com"], timeout_s=0.05))
    [gave_up] = await impatient
    assert isinstance(gave_up, SourceTimeout)
    assert gave_up.detail == "no answer within 50 ms"
    helpdesk.hold.set()  # the shared call had the patient caller's budget: it still answers
    assert requesters(await patient) == [["ann@example.com"]]
    assert helpdesk.calls == [["ann@example.com", "bob@example.com"]]
    assert desk.status.failures == 0


async def test_a_failed_gathered_call_fails_each_caller_once_and_the_breaker_hears_once(
    desk: ResilientConnector, helpdesk: Helpdesk
) -> None:
    helpdesk.fail = True
    answers = await asyncio.gather(
        tickets(desk, ["ann@example.com"]), tickets(desk, ["bob@example.com"])
    )
    assert [type(a[0]) for a in answers] == [SourceUnavailable, SourceUnavailable]
    assert all("answered HTTP 503" in str(a[0]) for a in answers)
    assert len(helpdesk.calls) == 1
    assert (desk.status.calls, desk.status.failures) == (1, 1)


async def test_a_gathered_answer_is_cached_for_every_caller(
    helpdesk: Helpdesk,
) -> None:
    source = helpdesk_config()
    cached = source.entities["tickets"].model_copy(update={"cache_ttl_s": 60})
    source = source.model_copy(update={"entities": {"tickets": cached}})
    desk = ResilientConnector(helpdesk, source, Breakers(), MemoryCache())
    await desk.start()
    try:
        await asyncio.gather(tickets(desk, ["ann@example.com"]), tickets(desk, ["bob@example.com"]))
        again = await asyncio.gather(
            tickets(desk, ["bob@example.com"]), tickets(desk, ["ann@example.com"])
        )
    finally:
        await desk.close()
    assert [requesters(a) for a in again] == [[["bob@example.com"]], [["ann@example.com"]]]
    assert helpdesk.calls == [["ann@example.com", "bob@example.com"]]


async def test_without_batching_every_call_is_its_own(helpdesk: Helpdesk) -> None:
    desk = ResilientConnector(helpdesk, helpdesk_config(), Breakers(), None, coalesce=False)
    await desk.start()
    try:
        await asyncio.gather(tickets(desk, ["ann@example.com"]), tickets(desk, ["bob@example.com"]))
    finally:
        await desk.close()
    assert sorted(helpdesk.calls) == [["ann@example.com"], ["bob@example.com"]]
