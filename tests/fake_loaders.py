"""Stand-in loaders for schema tests: one customer, many orders, an odd ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from resolvers.system.records import CustomerProfile, Invoice, Order, OrderLine, Ticket

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


class FakeLoaders:
    """Stands in for the per-request loaders: one customer, many orders, an odd ticket."""

    def __init__(self, orders: int) -> None:
        self.stale: list[Any] = []
        self.profile = CustomerProfile("crm", "C-1", "Ada", "Lovelace", "ada@example.com")
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

    async def load(self, serves: str, kind: str, value: object) -> list[Any]:
        return [self.profile] if serves == "customer" else []

    async def load_by_any(self, serves: str, keys: dict[str, object]) -> list[Any]:
        return list(self.records.get(serves, []))


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
