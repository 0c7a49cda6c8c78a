"""Population snapshots are built off the request path (issue 20).

A request meeting a newer as-of scores with the snapshot in hand and starts one
background build; the next request after it finishes scores with the new one.
Ordering is driven by events (the build waits on one), never by the clock.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import cast

import pytest

from resolvers.process import population as population_module
from resolvers.process import population_snapshots as snapshots_module
from resolvers.process.population import Population, population_of
from resolvers.process.population_snapshots import PopulationSnapshots
from resolvers.process.rfm import rfm_scores
from resolvers.system.records import Order, RfmCutPoints
from tests.resolvers.process.population_answers import population_answer

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
_sources = count()


# Yesterday everyone bought more than the customer; today everyone bought less.
STRONGER = [(5.0, 20.0, 5000.0)] * 10
WEAKER = [(300.0, 1.0, 10.0)] * 10


class HeldBuilds:
    """Stands in for the build in the runtime's thread: each waits until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[RfmCutPoints] = []

    def __call__(self, record: RfmCutPoints) -> Population | None:
        self.calls.append(record)
        assert self.release.wait(timeout=30), "the test never released the build"
        return population_of(record)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> HeldBuilds:
    builds = HeldBuilds()
    monkeypatch.setattr(snapshots_module, "population_of", builds)
    return builds


@pytest.fixture
def source() -> str:
    """A source name of its own: the process keeps snapshots across tests."""
    return f"orders-snapshot-test-{next(_sources)}"


async def test_a_newer_as_of_scores_with_the_snapshot_in_hand_and_builds_once(
    held: HeldBuilds, source: str
) -> None:
    old = population_answer(source, NOW - timedelta(days=1), STRONGER)
    new = population_answer(source, NOW, WEAKER)
    in_hand = population_of(old)  # what the background fit built yesterday
    assert in_hand is not None
    snapshots = PopulationSnapshots()
    orders = [
        Order(source, "SO-1", NOW - timedelta(days=30), 200.0, "delivered"),
        Order(source, "SO-2", NOW - timedelta(days=60), 100.0, "delivered"),
    ]

    first, second = await asyncio.gather(snapshots.snapshot(new), snapshots.snapshot(new))
    assert first is in_hand and second is in_hand  # neither request waited for the build
    scored = rfm_scores(orders, new, NOW, snapshot=first)
    assert scored.population_as_of == old.as_of  # labelled with the data that scored it
    assert (scored.recency, scored.frequency, scored.monetary) == (1, 1, 1)
    assert snapshots.started == 1 and len(snapshots.builds) == 1

    await asyncio.sleep(0)  # let the build's thread start
    held.release.set()
    await asyncio.gather(*snapshots.builds.values())
    assert [call.as_of for call in held.calls] == [new.as_of]

    after = await snapshots.snapshot(new)
    assert after is not None and after.as_of == new.as_of
    rescored = rfm_scores(orders, new, NOW, snapshot=after)
    assert rescored.population_as_of == new.as_of
    assert (rescored.recency, rescored.frequency, rescored.monetary) == (5, 5, 5)
    assert snapshots.started == 1  # no further build for the same as-of


async def test_without_any_snapshot_requests_wait_for_one_shared_build(
    held: HeldBuilds, source: str
) -> None:
    first_seen = population_answer(source, NOW, WEAKER)
    snapshots = PopulationSnapshots()
    waiting = [asyncio.ensure_future(snapshots.snapshot(first_seen)) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(request.done() for request in waiting)  # nothing in hand: they wait
    assert snapshots.started == 1
    held.release.set()
    got = await asyncio.gather(*waiting)
    assert got[0] is not None and got[0].as_of == NOW
    assert all(snapshot is got[0] for snapshot in got)
    assert len(held.calls) == 1


async def test_a_failed_build_keeps_the_snapshot_in_hand(
    monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    old = population_answer(source, NOW - timedelta(days=1), STRONGER)
    in_hand = population_of(old)

    def broken(record: RfmCutPoints) -> Population | None:
        raise ValueError("a column is not a number")

    monkeypatch.setattr(snapshots_module, "population_of", broken)
    snapshots = PopulationSnapshots()
    new = population_answer(source, NOW, WEAKER)
    assert await snapshots.snapshot(new) is in_hand
    await asyncio.gather(*snapshots.builds.values())
    assert snapshots.last_error == "ValueError: a column is not a number"
    assert await snapshots.snapshot(new) is in_hand  # still scoring, a new attempt started
    assert snapshots.started == 2


def test_an_answer_without_value_columns_has_no_snapshot(source: str) -> None:
    cuts = RfmCutPoints(source, NOW, (30, 90), (1, 2), (100, 300))
    calls: list[RfmCutPoints] = []
    assert population_module.population_in_hand(cuts, calls.append) is None
    assert calls == []


class NewerPopulation:
    """The order system's population answer, as the CMO view's loader gives it."""

    def __init__(self, record: RfmCutPoints) -> None:
        self.record = record

    async def load(self) -> RfmCutPoints | None:
        return self.record


async def test_the_cmo_segment_sizes_come_from_the_snapshot_in_hand(
    held: HeldBuilds, source: str
) -> None:
    from resolvers.experience.cmo import CmoView
    from resolvers.experience.figures import BusinessViewSettings
    from resolvers.process.segments import DEFAULT_RULES
    from resolvers.system.business_loaders import BusinessLoaders
    from resolvers.system.by_customer import RfmCutPointsLoader

    old = population_answer(source, NOW - timedelta(days=1), STRONGER)
    population_of(old)
    new = population_answer(source, NOW, WEAKER + WEAKER)  # twenty customers now
    snapshots = PopulationSnapshots()
    view = CmoView(cast(BusinessLoaders, None), BusinessViewSettings(ttl_s=0.0), NOW)
    loader = cast(RfmCutPointsLoader, NewerPopulation(new))

    figure = await view.segments(loader, DEFAULT_RULES, "total", snapshots)
    assert figure.as_of == old.as_of and figure.value.customers == 10
    assert snapshots.started == 1
    held.release.set()
    await asyncio.gather(*snapshots.builds.values())
    figure = await view.segments(loader, DEFAULT_RULES, "total", snapshots)
    assert figure.as_of == new.as_of and figure.value.customers == 20
