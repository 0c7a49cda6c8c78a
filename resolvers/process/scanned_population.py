"""The gateway's own population, summed from a scan of the order system's customers.

The System layer hands over each batch's orders (``resolvers/system/population_scan.py``);
this keeps one anonymous value row per customer (recency, frequency, spend,
tenure, now and ``compare_days`` earlier), sorted by value, and drops the orders:
the result is what a source's aggregate endpoint would have answered, labelled
source ``scan``.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from datetime import datetime, timedelta

from resolvers.process.policy import PopulationScan
from resolvers.process.rfm import count_orders
from resolvers.system.records import Order, RfmCutPoints

SCANNED = "scan"
NO_ROW = (-1.0, 0.0, 0.0, -1.0)

Row = tuple[float, float, float, float]


def value_row(orders: list[Order], moment: datetime, window_days: int) -> Row:
    counted = count_orders(orders, moment, window_days)
    if counted.order_count == 0 or counted.recency_days is None:
        return NO_ROW
    return (
        float(counted.recency_days),
        float(counted.order_count),
        counted.total_spend,
        float(counted.tenure_days or 0),
    )


async def scanned_population(
    batches: AsyncIterable[list[list[Order]]], now: datetime, scan: PopulationScan
) -> RfmCutPoints:
    """The population as a source's aggregate would send it, from each customer's orders."""
    before = now - timedelta(days=scan.compare_days)
    rows: list[tuple[float, ...]] = []
    async for answers in batches:
        for orders in answers:
            now_row, prior_row = (
                value_row(orders, now, scan.window_days),
                value_row(orders, before, scan.window_days),
            )
            if now_row != NO_ROW or prior_row != NO_ROW:
                rows.append((*now_row, *prior_row))
    rows.sort()
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    return RfmCutPoints(
        source=SCANNED,
        as_of=now,
        recency_days=(),
        frequency=(),
        monetary=(),
        customers=sum(1 for row in rows if row[1] > 0),
        window_days=scan.window_days,
        compare_days=scan.compare_days,
        recency_days_values=tuple(columns[0]),
        frequency_values=tuple(columns[1]),
        monetary_values=tuple(columns[2]),
        tenure_days_values=tuple(columns[3]),
        prior_recency_days_values=tuple(columns[4]),
        prior_frequency_values=tuple(columns[5]),
        prior_monetary_values=tuple(columns[6]),
        prior_tenure_days_values=tuple(columns[7]),
    )
