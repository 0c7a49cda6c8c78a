"""Following links past the customer system: CRM → billing account → ledger customer number.

A CRM contact's links name its ids in other systems. An entity of such a
system may declare links of its own (a billing account holding the ledger's
customer number); those are found by loading that entity's records by the link
(the same per-request loader the named loaders use later, so no request twice),
one hop per wait, every customer of the request in the same hop, at most
``MAX_LINK_DEPTH`` systems away from the CRM.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from resolvers.system.by_customer import CustomerKeys
from resolvers.system.loaders import SystemLoaders
from resolvers.system.records import CrossReference
from sources.config import LINK, MAX_LINK_DEPTH


async def follow_links(
    loaders: SystemLoaders, customers: Sequence[CustomerKeys]
) -> list[list[CrossReference]]:
    """Per customer, the links found past the first hop (added to its keys as well).

    A source that fails here is not this step's error: the chain stops there,
    and the field that reads that source's records reports its failure.
    """
    chaining = loaders.runtime.chaining
    found: list[list[CrossReference]] = [[] for _ in customers]
    frontier: list[set[str]] = [set(c.links) for c in customers]
    for _ in range(MAX_LINK_DEPTH - 1):
        pending: list[tuple[int, asyncio.Future[Any]]] = []
        for index, customer in enumerate(customers):
            for system in sorted(frontier[index]):
                for route in chaining.get(system, ()):
                    for future in loaders.futures_by_link({LINK: route}, customer.links):
                        pending.append((index, future))
        if not pending:
            break
        await asyncio.gather(*(f for _, f in pending), return_exceptions=True)
        frontier = [set() for _ in customers]
        for index, future in pending:
            if future.cancelled() or future.exception() is not None:
                continue
            for record in future.result():
                for ref in getattr(record, "links", ()):
                    if customers[index].add_link(ref.system, ref.record_id):
                        found[index].append(ref)
                        frontier[index].add(ref.system)
    return found
