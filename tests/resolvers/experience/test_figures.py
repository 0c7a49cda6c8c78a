"""The business views' figure cache: fresh for its TTL, never keeps a failure, bounded; and what
the CMO's and CEO's views shape from the process figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from resolvers.experience.ceo import CeoView
from resolvers.experience.cmo import CmoView
from resolvers.experience.figures import MOST_FIGURES, BusinessViewSettings, Figure, FigureCache
from resolvers.system.business_records import Opportunity, RevenueMonth
from tests.fake_business_loaders import READ_AT, StandInLoader, business, reads

AS_OF = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_figure_is_computed_once_per_ttl_and_keeps_its_as_of() -> None:
    clock = Clock()
    cache = FigureCache(60, clock)
    computed: list[int] = []

    async def compute() -> Figure[int]:
        computed.append(1)
        return Figure(len(computed), AS_OF)

    assert await cache.get("nps", compute) == Figure(1, AS_OF)
    clock.now += 59
    assert await cache.get("nps", compute) == Figure(1, AS_OF)
    clock.now += 2
    assert await cache.get("nps", compute) == Figure(2, AS_OF)
    assert len(computed) == 2


async def test_a_failed_figure_is_asked_again_next_time() -> None:
    cache = FigureCache(60, Clock())
    calls = 0

    async def flaky() -> Figure[str]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("surveys is down")
        return Figure("ok", AS_OF)

    with pytest.raises(RuntimeError):
        await cache.get("nps", flaky)
    assert (await cache.get("nps", flaky)).value == "ok"


async def test_ttl_zero_keeps_nothing_and_entries_are_bounded() -> None:
    clock = Clock()
    off = FigureCache(0, clock)
    counter = iter(range(10))

    async def next_value() -> Figure[int]:
        return Figure(next(counter), AS_OF)

    assert (await off.get("k", next_value)).value == 0
    assert (await off.get("k", next_value)).value == 1
    bounded = FigureCache(60, clock)
    for key in range(MOST_FIGURES + 5):

        async def value(key: int = key) -> Figure[int]:
            return Figure(key, AS_OF)

        await bounded.get(key, value)
    assert len(bounded._entries) == MOST_FIGURES


NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


async def test_the_cmo_and_ceo_revenue_is_one_kept_figure_read_once() -> None:
    """The CEO opening the dashboard after the CMO, within the TTL, asks no order system."""
    rows = [RevenueMonth("orders", "2026-11", 1200.0, AS_OF, 4)]
    settings = BusinessViewSettings(ttl_s=60)
    cmo_loaders = business(revenue_by_month=StandInLoader(rows, as_of=AS_OF))
    ceo_loaders = business(revenue_by_month=StandInLoader(rows, as_of=AS_OF))

    cmo_revenue = await CmoView(cmo_loaders, settings, NOW, months=3).net_revenue()
    ceo_revenue = await CeoView(ceo_loaders, settings, NOW, months=3).revenue()
    assert ceo_revenue == cmo_revenue and cmo_revenue.value.net_total == 1200.0
    assert cmo_revenue.as_of == AS_OF
    assert (reads(cmo_loaders), reads(ceo_loaders)) == ({"revenue_by_month": 1}, {})
    other_window = await CeoView(ceo_loaders, settings, NOW, months=2).revenue()
    assert [month.month for month in other_window.value.months] == ["2026-11", "2026-12"]
    assert reads(ceo_loaders) == {"revenue_by_month": 1}


async def test_the_ceo_sees_large_deals_over_the_configured_threshold_unless_asked() -> None:
    deals = [
        Opportunity("crm", f"O{amount}", "proposal", float(amount), AS_OF)
        for amount in (40_000, 60_000, 90_000, 120_000)
    ]
    settings = BusinessViewSettings(ttl_s=0, large_deal_amount=50_000.0, large_deals_shown=2)
    view = CeoView(business(opportunities=StandInLoader(deals)), settings, NOW)

    shown = await view.large_deals()
    assert shown.value.threshold == 50_000.0
    assert [deal.id for deal in shown.value.deals] == ["O120000", "O90000"]
    asked = await view.large_deals(min_amount=-5, limit=500)  # clamped: 0 and 100 at most
    assert asked.value.threshold == 0.0 and len(asked.value.deals) == 4
    assert asked.as_of == READ_AT
