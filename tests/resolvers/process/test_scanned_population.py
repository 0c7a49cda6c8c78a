"""The gateway's own population scan, summed without any I/O: batches of orders in, rows out.

The System layer fetches each batch (``resolvers/system/population_scan.py``);
what the Process layer makes of it is checked here on records alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from resolvers.process.policy import PopulationScan
from resolvers.process.scanned_population import scanned_population
from resolvers.system.records import Order

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SCAN = PopulationScan(window_days=365, compare_days=90)


def bought(days_ago: int, total: float, status: str = "delivered") -> Order:
    return Order("orders", f"SO-{days_ago}-{total}", NOW - timedelta(days=days_ago), total, status)


async def batches(*given: list[list[Order]]) -> AsyncIterator[list[list[Order]]]:
    for batch in given:
        yield batch


async def test_one_anonymous_row_per_customer_now_and_compare_days_earlier() -> None:
    loyal = [bought(10, 100.0), bought(200, 50.0)]  # bought now and before the compare date
    new = [bought(30, 80.0)]  # only after the compare date: nothing 90 days ago
    gone = [bought(300, 40.0)]  # still in both windows, last order 300 days ago
    never: list[Order] = []
    cancelled = [bought(5, 999.0, status="cancelled")]

    population = await scanned_population(
        batches([loyal, new], [gone, never, cancelled]), NOW, SCAN
    )

    assert population.source == "scan" and population.as_of == NOW
    assert (population.window_days, population.compare_days) == (365, 90)
    assert population.customers == 3  # no row for one who never bought or only cancelled
    rows = list(
        zip(
            population.recency_days_values,
            population.frequency_values,
            population.monetary_values,
            population.prior_recency_days_values,
            population.prior_frequency_values,
            strict=True,
        )
    )
    assert rows == sorted(rows)  # sorted by value: nothing ties a row to a customer's place
    assert (10.0, 2.0, 150.0, 110.0, 1.0) in rows  # loyal: 200 days ago was 110 days before
    assert (30.0, 1.0, 80.0, -1.0, 0.0) in rows  # new: no purchase 90 days ago
    assert (300.0, 1.0, 40.0, 210.0, 1.0) in rows


async def test_a_scan_that_finds_nobody_is_an_empty_population() -> None:
    population = await scanned_population(batches(), NOW, SCAN)
    assert population.customers == 0 and population.frequency_values == ()
