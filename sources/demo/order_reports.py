"""The order system's revenue report: what was sold, discounted and given back, per month.

Served by the order system (`GET /stats/revenue`) so a role view reads twelve
rows, not every order ever placed.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sources.demo.openapi import Schema, get_operation, integer, list_of, money, obj, string
from sources.demo.reports import as_of_now, month_of, scope_parameter

JsonRecord = dict[str, Any]


def revenue_by_month(orders: list[JsonRecord]) -> list[JsonRecord]:
    """Per month of placement (cancelled orders aside): gross, discounts, returns and net.

    gross = list price of the goods (total + discount); returns = totals of
    returned orders; net = gross - discounts - returns. Rounded to cents.
    """
    months: dict[str, list[float]] = {}
    for order in orders:
        if order["status"] == "cancelled":
            continue
        row = months.setdefault(month_of(order["placed_at"]), [0, 0.0, 0.0, 0.0])
        row[0] += 1
        row[1] += order["total"] + order["discount"]
        row[2] += order["discount"]
        row[3] += order["total"] if order["status"] == "returned" else 0.0
    return [
        {
            "month": month,
            "orders": int(count),
            "gross": round(gross, 2),
            "discounts": round(discounts, 2),
            "returns": round(returns, 2),
            "net": round(gross - discounts - returns, 2),
        }
        for month, (count, gross, discounts, returns) in sorted(months.items())
    ]


def revenue_report(orders: list[JsonRecord]) -> web.RouteDef:
    """`GET /stats/revenue` over `orders` (computed once; each answer stamped with its as-of)."""
    rows = revenue_by_month(orders)

    async def report(request: web.Request) -> web.Response:
        as_of = as_of_now()
        return web.json_response({"data": [{**row, "as_of": as_of} for row in rows]})

    return web.get("/stats/revenue", report)


REVENUE_SCHEMAS: dict[str, Schema] = {
    "RevenueMonth": obj(
        {
            "month": string("Month the orders were placed, YYYY-MM.", example="2026-03"),
            "orders": integer("Orders placed (cancelled ones aside)."),
            "gross": money("List price of the goods sold"),
            "discounts": money("Discounts granted"),
            "returns": money("Totals of orders since returned"),
            "net": money("gross - discounts - returns"),
            "as_of": string("When the report was computed, ISO 8601 UTC.", fmt="date-time"),
        }
    ),
    "RevenueReport": list_of("RevenueMonth"),
}
REVENUE_PATHS: dict[str, Any] = {
    "/stats/revenue": {
        "get": get_operation(
            "getRevenueReport",
            "Revenue per month: gross, discounts, returns, net",
            [scope_parameter()],
            "RevenueReport",
        )
    }
}
