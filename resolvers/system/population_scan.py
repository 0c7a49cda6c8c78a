"""The I/O of the gateway's own population scan, for order systems without an aggregate endpoint.

Pages through the order system's customer list (an ``all`` lookup of
``order_customers`` with ``paging`` in the source config) and asks for their
orders a batch at a time through the ``orders`` email lookup, handing each
batch's orders to the caller before the next is asked for: the emails live only
while the scan runs, and a batch's orders only until the caller has summed them
(``resolvers/process/scanned_population.py`` keeps one anonymous value row per
customer). Bounded by the paging's ``max_pages``, ``max_customers`` and the
deadline; one request in flight at a time. Runs in the background, never on a
request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from resolvers.system.loaders import SystemLoaders
from resolvers.system.records import ListedCustomer, Order
from resolvers.system.runtime import SourceRuntime

LISTED = "order_customers"
ALL = "all"


def can_scan(runtime: SourceRuntime) -> bool:
    """Whether some source lists its customers (an ``all`` lookup of ``order_customers``)."""
    return bool(runtime.routes_for(LISTED, ALL)) and bool(runtime.routes_for("orders", "email"))


async def scanned_orders(
    runtime: SourceRuntime, max_customers: int, batch: int, deadline: float
) -> AsyncIterator[list[list[Order]]]:
    """Each listed customer's orders, ``batch`` customers at a time (one list per customer)."""
    listed: list[ListedCustomer] = await SystemLoaders(runtime, deadline).load(LISTED, ALL, ALL)
    emails = list(dict.fromkeys(c.email.lower() for c in listed if c.email))[:max_customers]
    del listed
    for start in range(0, len(emails), batch):
        loaders = SystemLoaders(runtime, deadline)  # fresh: nothing of a batch is kept
        # one dataloader tick: the batch goes out as one request per source (its max_batch)
        yield list(
            await asyncio.gather(
                *(loaders.load("orders", "email", e) for e in emails[start : start + batch])
            )
        )
