"""The gateway's own population scan, for order systems without an aggregate endpoint.

Pages through the order system's customer list (an ``all`` lookup of
``order_customers`` with ``paging`` in the source config), asks for their orders
a batch at a time through the ``orders`` email lookup, and keeps only one
anonymous value row per customer (recency, frequency, spend, tenure, now and
``compare_days`` earlier), sorted by value: the emails live only while the scan
runs and each batch's orders only until they are summed. Bounded by the paging's ``max_pages``, the
policy's ``max_customers`` and the scan's deadline; one request in flight at a
time. Runs in the background (``keep_population_scanned``), never on a request.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from resolvers.process.policy import PopulationScan
from resolvers.process.rfm import count_orders
from resolvers.system.loaders import SystemLoaders
from resolvers.system.records import ListedCustomer, Order, RfmCutPoints
from resolvers.system.runtime import SourceRuntime

SCANNED = "scan"
LISTED = "order_customers"
ALL = "all"
NO_ROW = (-1.0, 0.0, 0.0, -1.0)

Row = tuple[float, float, float, float]


def can_scan(runtime: SourceRuntime) -> bool:
    """Whether some source lists its customers (an ``all`` lookup of ``order_customers``)."""
    return bool(runtime.routes_for(LISTED, ALL)) and bool(runtime.routes_for("orders", "email"))


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


async def scan_population(
    runtime: SourceRuntime, now: datetime, scan: PopulationScan, loop_time: float
) -> RfmCutPoints:
    """The population as a source's aggregate would send it, labelled source ``scan``."""
    deadline = loop_time + scan.timeout_s
    listed: list[ListedCustomer] = await SystemLoaders(runtime, deadline).load(LISTED, ALL, ALL)
    emails = list(dict.fromkeys(c.email.lower() for c in listed if c.email))[: scan.max_customers]
    del listed
    before = now - timedelta(days=scan.compare_days)
    rows: list[tuple[float, ...]] = []
    for start in range(0, len(emails), scan.batch):
        loaders = SystemLoaders(runtime, deadline)  # fresh: nothing of a batch is kept
        batch = emails[start : start + scan.batch]
        # one dataloader tick: the batch goes out as one request per source (its max_batch)
        answers = await asyncio.gather(*(loaders.load("orders", "email", e) for e in batch))
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
