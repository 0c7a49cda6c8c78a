"""The breaker in front of a source: one background probe per cool-down, no user waits on it."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from sources.base import RawRecord
from sources.breaker import Admission, CircuitBreaker
from sources.cache import MemoryCache
from sources.config import SourceBase
from sources.errors import SourceRejected, SourceTimeout, SourceUnavailable
from sources.freshness import collect_stale_notes
from sources.resilient import ResilientConnector, breaker_factory

COOLDOWN_S = 0.2
TIMEOUT_S = 0.5


class FakeSupport:
    """A source whose health the test turns; ``hang`` ignores the timeout it is given."""

    name = "unit-support"

    def __init__(self) -> None:
        self.mode = "ok"
        self.calls = 0
        self.closed = False

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        self.closed = True

    async def fetch(
        self, entity: str, kind: str, keys: Sequence[str], *, timeout_s: float
    ) -> list[list[RawRecord]]:
        self.calls += 1
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "slow":
            await asyncio.sleep(0.2)
        if self.mode == "error":
            raise SourceUnavailable(self.name, "answered 503", entity=entity)
        if self.mode == "reject":
            raise SourceRejected(self.name, "answered 400", entity=entity)
        if self.mode == "crash":
            raise RuntimeError("a bug in the connector")
        return [[{"id": key, "calls": self.calls}] for key in keys]


def support_config(cache_ttl_s: float | None = None) -> SourceBase:
    return SourceBase.model_validate(
        {
            "timeout_ms": int(TIMEOUT_S * 1000),
            "resilience": {
                "retries": 0,
                "breaker": {"failures": 2, "cooldown_s": COOLDOWN_S},
            },
            "entities": {
                "tickets": {
                    "serves": "tickets",
                    "lookups": {"email": {"path": "/tickets"}},
                    "fields": {"id": "id"},
                    "cache_ttl_s": cache_ttl_s,
                }
            },
        }
    )


@pytest.fixture
def source() -> FakeSupport:
    return FakeSupport()


@pytest.fixture
async def support(source: FakeSupport) -> AsyncIterator[ResilientConnector]:
    connector = ResilientConnector(source, support_config(), breaker_factory(), MemoryCache())
    await connector.start()
    yield connector
    await connector.close()


async def fetch(connector: ResilientConnector, key: str) -> Any:
    [answer] = await connector.fetch("tickets", "email", [key], timeout_s=2.0)
    return answer


async def trip(connector: ResilientConnector, source: FakeSupport) -> None:
    """Open the breaker with failing calls, then wait out its cool-down."""
    source.mode = "error"
    for i in range(2):
        await fetch(connector, f"trip-{i}@example.com")
    assert connector.status.breaker == "opened"
    await asyncio.sleep(COOLDOWN_S + 0.02)


async def probe_finished(connector: ResilientConnector) -> None:
    # A hang guard, not a speed claim: a probe left to the hanging source would run for an
    # hour, so a bound twenty times the source's timeout tells that apart from a slow machine.
    deadline = time.monotonic() + 20 * TIMEOUT_S
    while connector.status.breaker == "half-opened":
        assert time.monotonic() < deadline, "the probe outlived the source's timeout"
        await asyncio.sleep(0.01)


async def test_after_cool_down_twenty_concurrent_calls_send_one_probe(
    support: ResilientConnector, source: FakeSupport
) -> None:
    await trip(support, source)
    source.mode = "hang"
    calls_before = source.calls
    answers = await asyncio.gather(*(fetch(support, f"c{i}@example.com") for i in range(20)))
    assert source.calls == calls_before + 1, "exactly one probe reaches the sick source"
    for answer in answers:
        # The breaker's own answer, not the probe's: no caller waits on the hanging source.
        assert isinstance(answer, SourceUnavailable)
        assert "circuit breaker is open" in answer.detail


async def test_caller_that_triggers_the_probe_does_not_wait_for_a_hanging_source(
    support: ResilientConnector, source: FakeSupport
) -> None:
    await trip(support, source)
    source.mode = "hang"
    answer = await fetch(support, "first@example.com")
    # The breaker's own answer, not its probe's ("probe got no answer within ..."):
    assert isinstance(answer, SourceUnavailable)
    assert "circuit breaker is open" in answer.detail
    await probe_finished(support)
    # The source sleeps for an hour: the probe ended because the source's timeout stopped it.
    assert support.status.breaker == "opened"
    assert support.status.last_error_code == "SOURCE_TIMEOUT"


async def test_probe_success_closes_the_breaker_and_refreshes_the_cache(
    support: ResilientConnector, source: FakeSupport
) -> None:
    live = await fetch(support, "ann@example.com")
    await trip(support, source)
    source.mode = "ok"
    notes = collect_stale_notes()
    rescued = await fetch(support, "ann@example.com")
    assert rescued == live, "the caller that triggers the probe is answered from cache"
    assert [note.reason for note in notes] == ["SOURCE_UNAVAILABLE"]
    await probe_finished(support)
    assert support.status.breaker == "closed"
    calls_after_probe = source.calls
    source.mode = "error"  # from here only the cache can answer, and it holds the probe's answer
    refreshed = await fetch(support, "ann@example.com")
    assert refreshed == [{"id": "ann@example.com", "calls": calls_after_probe}]
    source.mode = "ok"
    answer = await fetch(support, "bob@example.com")
    assert answer == [{"id": "bob@example.com", "calls": source.calls}], "closed: calls go through"


async def test_failed_probe_reopens_the_breaker_for_another_cool_down(
    support: ResilientConnector, source: FakeSupport
) -> None:
    await trip(support, source)
    calls_before = source.calls
    await fetch(support, "probe@example.com")
    await probe_finished(support)
    assert support.status.breaker == "opened" and source.calls == calls_before + 1
    answer = await fetch(support, "again@example.com")
    assert isinstance(answer, SourceUnavailable)
    assert source.calls == calls_before + 1, "re-opened: no call until the next cool-down"
    await asyncio.sleep(COOLDOWN_S + 0.02)
    source.mode = "ok"
    await fetch(support, "later@example.com")
    await probe_finished(support)
    assert support.status.breaker == "closed" and source.calls == calls_before + 2


async def test_probe_failures_are_retrieved_and_a_crash_does_not_wedge_the_breaker(
    support: ResilientConnector, source: FakeSupport
) -> None:
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    try:
        await trip(support, source)
        source.mode = "crash"
        await fetch(support, "crash@example.com")
        await probe_finished(support)
        assert support.status.breaker == "opened", "a crashed probe re-opens, it is not stuck"
        await asyncio.sleep(COOLDOWN_S + 0.02)
        source.mode = "error"
        await fetch(support, "error@example.com")
        await probe_finished(support)
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert unhandled == []


async def test_close_cancels_a_running_probe(
    support: ResilientConnector, source: FakeSupport
) -> None:
    await trip(support, source)
    source.mode = "hang"
    await fetch(support, "hang@example.com")
    assert support.status.breaker == "half-opened"
    await support.close()
    assert source.closed
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert others == [], others


async def test_client_errors_do_not_trip_the_breaker_and_a_rejected_probe_closes_it(
    support: ResilientConnector, source: FakeSupport
) -> None:
    source.mode = "reject"
    for i in range(5):
        answer = await fetch(support, f"bad-{i}")
        assert isinstance(answer, SourceRejected)
    assert support.status.breaker == "closed" and source.calls == 5
    await trip(support, source)
    source.mode = "reject"
    await fetch(support, "bad-probe")
    await probe_finished(support)
    assert support.status.breaker == "closed", "a 4xx says the source is up"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_identical_calls_in_flight_share_one_source_call(
    support: ResilientConnector, source: FakeSupport
) -> None:
    source.mode = "slow"
    first, second = await asyncio.gather(
        fetch(support, "ann@example.com"), fetch(support, "ann@example.com")
    )
    assert source.calls == 1
    assert first == second == [{"id": "ann@example.com", "calls": 1}]


async def test_an_impatient_caller_gives_up_without_cancelling_the_call_for_others(
    support: ResilientConnector, source: FakeSupport
) -> None:
    source.mode = "slow"
    patient = asyncio.create_task(fetch(support, "ann@example.com"))
    await asyncio.sleep(0)
    [impatient] = await support.fetch("tickets", "email", ["ann@example.com"], timeout_s=0.05)
    # The call takes 200 ms: a SourceTimeout means the impatient caller left at its own budget.
    assert isinstance(impatient, SourceTimeout)
    assert impatient.detail == "no answer within 50 ms"
    answer = await patient
    assert answer == [{"id": "ann@example.com", "calls": 1}] and source.calls == 1
    assert support.status.failures == 0, "the call itself answered in time for its owner"


async def test_a_cancelled_caller_leaves_the_shared_call_running(
    support: ResilientConnector, source: FakeSupport
) -> None:
    source.mode = "slow"
    leaving = asyncio.create_task(fetch(support, "ann@example.com"))
    staying = asyncio.create_task(fetch(support, "ann@example.com"))
    await asyncio.sleep(0.05)
    leaving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    answer = await staying
    assert answer == [{"id": "ann@example.com", "calls": 1}] and source.calls == 1


async def test_a_failed_shared_call_fails_every_caller_with_its_error(
    support: ResilientConnector, source: FakeSupport
) -> None:
    source.mode = "error"
    first, second = await asyncio.gather(
        fetch(support, "ann@example.com"), fetch(support, "ann@example.com")
    )
    assert isinstance(first, SourceUnavailable) and first is second
    assert source.calls == 1


def test_breaker_opens_after_consecutive_failures_only() -> None:
    breaker = CircuitBreaker(failures=3, cooldown_s=10, clock=FakeClock())
    for _ in range(2):
        breaker.failed(breaker.admit())
    breaker.succeeded(breaker.admit())
    for _ in range(2):
        breaker.failed(breaker.admit())
    assert breaker.state == "closed", "a success in between starts the count again"
    breaker.failed(breaker.admit())
    assert breaker.state == "opened"
    assert breaker.admit() is Admission.REJECT


def test_breaker_hands_out_one_probe_per_cool_down() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures=1, cooldown_s=10, clock=clock)
    breaker.failed(breaker.admit())
    clock.now = 9.9
    assert breaker.admit() is Admission.REJECT
    clock.now = 10.0
    assert [breaker.admit() for _ in range(3)] == [Admission.PROBE, *[Admission.REJECT] * 2]
    assert breaker.state == "half-opened"
    breaker.failed(Admission.PROBE)
    clock.now = 19.9
    assert breaker.state == "opened" and breaker.admit() is Admission.REJECT
    clock.now = 20.0
    assert breaker.admit() is Admission.PROBE
    breaker.succeeded(Admission.PROBE)
    assert breaker.state == "closed" and breaker.admit() is Admission.CALL


def test_breaker_ignores_late_outcomes_of_calls_let_in_while_closed() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures=1, cooldown_s=10, clock=clock)
    early = breaker.admit()
    breaker.failed(breaker.admit())
    clock.now = 10.0
    assert breaker.admit() is Admission.PROBE
    breaker.succeeded(early)
    breaker.failed(early)
    assert breaker.state == "half-opened", "only the probe decides"


def test_abandoned_probe_lets_the_next_caller_probe_at_once() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures=1, cooldown_s=10, clock=clock)
    breaker.failed(breaker.admit())
    clock.now = 10.0
    assert breaker.admit() is Admission.PROBE
    breaker.abandoned(Admission.PROBE)
    assert breaker.state == "opened"
    assert breaker.admit() is Admission.PROBE


def test_each_source_has_its_own_breaker() -> None:
    breakers = breaker_factory()
    crm = breakers.for_source("crm", failures=1, cooldown_s=1)
    crm.failed(crm.admit())
    assert breakers.for_source("crm", failures=1, cooldown_s=1) is crm
    assert breakers.for_source("billing", failures=1, cooldown_s=1).state == "closed"


class KeyRecorder(FakeSupport):
    """FakeSupport that remembers which keys each call asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[list[str]] = []

    async def fetch(
        self, entity: str, kind: str, keys: Sequence[str], *, timeout_s: float
    ) -> list[list[RawRecord]]:
        self.asked.append(list(keys))
        return await super().fetch(entity, kind, keys, timeout_s=timeout_s)


async def test_fresh_keys_skip_the_source_and_only_the_others_are_asked() -> None:
    source = KeyRecorder()
    connector = ResilientConnector(
        source, support_config(cache_ttl_s=60), breaker_factory(), MemoryCache()
    )
    notes = collect_stale_notes()
    [ann] = await connector.fetch("tickets", "email", ["ann@x.com"], timeout_s=1)
    answers = await connector.fetch("tickets", "email", ["bob@x.com", "ann@x.com"], timeout_s=1)
    assert answers == [[{"id": "bob@x.com", "calls": 2}], ann]
    assert source.asked == [["ann@x.com"], ["bob@x.com"]]

    source.mode = "error"
    bob, ann_again, cid = await connector.fetch(
        "tickets", "email", ["bob@x.com", "ann@x.com", "cid@x.com"], timeout_s=1
    )
    assert bob == [{"id": "bob@x.com", "calls": 2}] and ann_again == ann
    assert isinstance(cid, SourceUnavailable)
    assert source.asked[-1] == ["cid@x.com"]
    assert notes == [], "fresh answers are not stale"
    await connector.close()


async def test_a_fresh_hit_of_the_process_cache_is_mapped_once_per_mapping() -> None:
    source = KeyRecorder()
    connector = ResilientConnector(
        source, support_config(cache_ttl_s=60), breaker_factory(), MemoryCache()
    )
    mapped: list[str] = []

    def mapping(raws: list[RawRecord]) -> list[Any]:
        mapped.extend(str(raw["id"]) for raw in raws)
        return [("ticket", raw["id"], raw["calls"]) for raw in raws]

    first = await connector.fetch("tickets", "email", ["ann@x.com"], timeout_s=1, mapped_by=mapping)
    hits = [
        await connector.fetch("tickets", "email", ["ann@x.com"], timeout_s=1, mapped_by=mapping)
        for _ in range(3)
    ]
    assert hits == [first] * 3 and first == [[("ticket", "ann@x.com", 1)]]
    assert mapped == ["ann@x.com", "ann@x.com"]  # the answer, then the first hit; no more
    assert source.asked == [["ann@x.com"]]
    own = hits[0][0]
    assert isinstance(own, list)
    own.append("a caller's own change")  # each caller gets a list of its own
    [again] = await connector.fetch(
        "tickets", "email", ["ann@x.com"], timeout_s=1, mapped_by=mapping
    )
    assert again == [("ticket", "ann@x.com", 1)]

    other = lambda raws: [("other", raw["id"]) for raw in raws]  # noqa: E731
    [by_other] = await connector.fetch(
        "tickets", "email", ["ann@x.com"], timeout_s=1, mapped_by=other
    )
    assert by_other == [("other", "ann@x.com")], "another mapping maps the entry anew"
    await connector.close()
