"""What the load asks for: callers' phones and customer-id lists from the demo world.

The demo data is deterministic for a (seed, customers, day), so the bench
generates the same world the sources serve and picks its inputs from it, instead
of hard-coding ids that would drift with the generator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sources.demo.data import generate

SEED = 360
CUSTOMERS = 2000
"""Twice the demo default, so that 1000 customers (the API's cap) hold over 10,000 orders."""
CALLERS = 64
"""Distinct callers the agent scenarios cycle through: no hot key, no cross-request cache win."""
LISTS = 16
"""Distinct customer lists the list scenarios cycle through."""


@dataclass(frozen=True, slots=True)
class Workload:
    phones: tuple[str, ...]
    """Callers' phones as the CRM stores them (several formats), spread over the population."""
    lists_50: tuple[tuple[str, ...], ...]
    """Disjoint lists of 50 CRM ids: concurrent requests differ, so no gateway can coalesce them."""
    lists_500: tuple[tuple[str, ...], ...]
    ids_orders: tuple[str, ...]
    """The 1000 CRM ids with the most orders: one response of over 10,000 orders."""
    orders_in_ids_orders: int


def build_workload(customers: int = CUSTOMERS, callers: int = CALLERS) -> Workload:
    world = generate(seed=SEED, customers=customers)
    contacts = world.contacts
    step = max(1, len(contacts) // callers)
    phones = tuple(c["phone"] for c in contacts[::step] if c.get("phone"))[:callers]
    ids = [c["id"] for c in contacts]
    per_email = Counter(o["customer_email"].casefold() for o in world.orders)
    by_orders = sorted(
        contacts, key=lambda c: (-per_email.get((c.get("email") or "").casefold(), 0), c["id"])
    )[:1000]
    return Workload(
        phones=phones,
        lists_50=tuple(tuple(ids[i : i + 50]) for i in range(0, 50 * LISTS, 50)),
        lists_500=tuple(tuple(ids[i : i + 500]) for i in range(0, min(len(ids), 500 * 4), 500)),
        ids_orders=tuple(c["id"] for c in by_orders),
        orders_in_ids_orders=sum(
            per_email.get((c.get("email") or "").casefold(), 0) for c in by_orders
        ),
    )
