"""Stand-in loaders for schema tests: one customer, many orders, an odd ticket."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from resolvers.system.records import CustomerProfile, Invoice, Order, OrderLine, Ticket

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


class FakeLoaders:
    """Stands in for the per-request loaders: one customer, many orders, an odd ticket.

    ``records`` (by kind) may be replaced; ``asked`` lists the kinds asked for, in order.
    """

    def __init__(self, orders: int) -> None:
        self.stale: list[Any] = []
        self.asked: list[str] = []
        self.profile: CustomerProfile | None = CustomerProfile(
            "crm", "C-1", "Ada", "Lovelace", "ada@example.com"
        )
        self.records: dict[str, list[Any]] = {
            "orders": [
                Order(
                    "orders",
                    f"SO-{i}",
                    NOW - timedelta(days=i),
                    10.0 + i,
                    "delivered",
                    lines=(OrderLine("orders", f"SKU-{i}", None, 2, 5.0),) * (i % 3),
                )
                for i in range(orders)
            ],
            "invoices": [Invoice("billing", "INV-1", 99.5, status=None)],
            "tickets": [Ticket("support", "7", "open", None, "urgent")],
        }

    @property
    def runtime(self) -> _NoRoutes:
        """No declared routes: the one customer system is asked for everything (``futures``)."""
        return _NoRoutes()

    async def load(self, serves: str, kind: str, value: object) -> list[Any]:
        return list(await self.futures(serves, kind, value)[0])

    def pushes(self, serves: str, filters: object) -> bool:
        """No stand-in source filters by itself: every filter is the gateway's (no pushdown)."""
        return False

    async def load_by_any(self, serves: str, keys: Mapping[str, object]) -> list[Any]:
        return list(await self.futures_by_any(serves, keys)[0])

    def futures(self, serves: str, kind: str, value: object) -> list[asyncio.Future[Any]]:
        """One settled load: the profile (if any) for a customer lookup, nothing for the rest."""
        self.asked.append(serves)
        return [_settled([self.profile] if serves == "customer" and self.profile else [])]

    def futures_by_any(self, serves: str, keys: Mapping[str, object]) -> list[asyncio.Future[Any]]:
        self.asked.append(serves)
        return [_settled(list(self.records.get(serves, [])))]


class _NoRoutes:
    def routes_by_source(self, serves: str) -> list[Any]:
        return []


def _settled(records: list[Any]) -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    future.set_result(records)
    return future


CUSTOMER_QUERY = """
query($id: ID, $n: Int) {
  customer(id: $id) {
    __typename id name firstName
    address { __typename street city }
    recent: orders(limit: $n) { id total lines { sku quantity unitPrice name } }
    orders { ...OrderBits placedAt lines @include(if: false) { sku } }
    invoices { id amount status dueOn kind }
    tickets { id status priority subject, again: status @skip(if: true) }
    identities { system recordId matchedOn confidence }
  }
}
fragment OrderBits on Order { __typename id status currency discount }
"""
"""A customer with every kind of record the fakes hold: aliases, fragments, constant directives."""
