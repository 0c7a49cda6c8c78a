"""The demo order system: its own customers, their orders, and population RFM cut points."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from sources.demo.data import DemoWorld
from sources.demo.openapi import (
    array,
    batch_parameter,
    document,
    get_operation,
    integer,
    list_of,
    money,
    number,
    obj,
    path_parameter,
    ref,
    string,
)
from sources.demo.order_reports import REVENUE_PATHS, REVENUE_SCHEMAS, revenue_report
from sources.demo.params import required_batch
from sources.demo.reports import scope_parameter, wants_everything
from sources.demo.service import DemoService, Knobs
from sources.demo.world.timestamps import iso_timestamp, midnight

JsonRecord = dict[str, Any]
SYSTEM = "orders"
ORDER_STATUSES = ("delivered", "shipped", "processing", "cancelled", "returned")


def rfm_cut_points(orders: list[JsonRecord], today: date) -> JsonRecord:
    """Quintile cut points (4 each) over customers with at least one non-cancelled order.

    recency = days from the last such order to `today`; frequency = their count;
    monetary = sum of totals of orders neither cancelled nor returned.
    """
    last_day: dict[str, date] = {}
    frequency: dict[str, int] = {}
    monetary: dict[str, float] = {}
    for order in orders:
        if order["status"] == "cancelled":
            continue
        customer = order["customer_id"]
        placed = date.fromisoformat(order["placed_at"][:10])
        last_day[customer] = max(placed, last_day.get(customer, placed))
        frequency[customer] = frequency.get(customer, 0) + 1
        kept = 0.0 if order["status"] == "returned" else order["total"]
        monetary[customer] = monetary.get(customer, 0.0) + kept

    def quintiles(values: list[float]) -> list[float]:
        if len(values) < 2:
            return [values[0]] * 4 if values else [0.0] * 4
        return [round(cut, 2) for cut in statistics.quantiles(values, n=5, method="inclusive")]

    return {
        "as_of": iso_timestamp(midnight(today)),
        "customers": len(frequency),
        "recency_days": quintiles([float((today - day).days) for day in last_day.values()]),
        "frequency": quintiles([float(count) for count in frequency.values()]),
        "monetary": quintiles(list(monetary.values())),
    }


def rfm_population(
    orders: list[JsonRecord], today: date, window_days: int, compare_days: int
) -> JsonRecord:
    """Every customer's R/F/M values as anonymous columns: what a rank rule and a model need.

    Over the orders placed in the `window_days` before `today` (cancelled ones and
    those with a non-positive total are not purchases; returned ones count as
    purchases that kept nothing). Row i of the columns is one customer with at
    least one such order, at `today` (`recency_days`, `frequency`, `monetary`,
    `tenure_days` = days since their first order in the window) and, for
    movement between segments, over the same window ending `compare_days`
    earlier (`prior_*`); a customer with purchases in only one of the two windows
    has -1 recency and 0 frequency in the other. Rows carry no id and are sorted
    by value, so they cannot be joined back to a customer.
    """
    now = _row_values(orders, today, window_days)
    before = _row_values(orders, today - timedelta(days=compare_days), window_days)
    none = (-1.0, 0.0, 0.0, -1.0)
    rows = sorted(
        (*now.get(customer, none), *before.get(customer, none)) for customer in now | before
    )
    names = ("recency_days", "frequency", "monetary", "tenure_days")
    columns = {f"{name}_values": [row[i] for row in rows] for i, name in enumerate(names)}
    columns |= {
        f"prior_{name}_values": [row[4 + i] for row in rows] for i, name in enumerate(names)
    }
    return {
        "as_of": iso_timestamp(midnight(today)),
        "window_days": window_days,
        "compare_days": compare_days,
        "customers": len(now),
        **columns,
    }


def _row_values(
    orders: list[JsonRecord], day: date, window_days: int
) -> dict[str, tuple[float, float, float, float]]:
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    count: dict[str, int] = {}
    spend: dict[str, float] = {}
    start = day - timedelta(days=window_days)
    for order in orders:
        placed = date.fromisoformat(order["placed_at"][:10])
        if order["status"] == "cancelled" or order["total"] <= 0 or not start < placed <= day:
            continue
        customer = order["customer_id"]
        first[customer] = min(placed, first.get(customer, placed))
        last[customer] = max(placed, last.get(customer, placed))
        count[customer] = count.get(customer, 0) + 1
        kept = order["total"] - min(order.get("refunded", 0.0), order["total"])
        spend[customer] = round(spend.get(customer, 0.0) + kept, 2)
    return {
        customer: (
            float((day - last[customer]).days),
            float(count[customer]),
            spend[customer],
            float((day - first[customer]).days),
        )
        for customer in count
    }


def window_parameter(request: web.Request, name: str, default: int) -> int:
    """A whole number 1 to 3650 (days, or a page), or a 400 naming the parameter."""
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= 3650:
        raise web.HTTPBadRequest(text=f"{name} must be a whole number, 1 to 3650")
    return value


class OrderSystem:
    """Indexes over order-system records; order lists are newest first."""

    def __init__(self, world: DemoWorld) -> None:
        self.customers_by_email: dict[str, list[JsonRecord]] = {}
        self.customer_list = sorted(world.order_customers, key=lambda c: c["id"])
        for customer in world.order_customers:
            self.customers_by_email.setdefault(customer["email"].lower(), []).append(customer)
        newest_first = sorted(
            world.orders, key=lambda o: (o["placed_at"], o["order_id"]), reverse=True
        )
        self.orders_by_email: dict[str, list[JsonRecord]] = {}
        self.orders_by_customer: dict[str, list[JsonRecord]] = {}
        for order in newest_first:
            self.orders_by_email.setdefault(order["customer_email"].lower(), []).append(order)
            self.orders_by_customer.setdefault(order["customer_id"], []).append(order)
        self.rfm = rfm_cut_points(world.orders, world.today)
        self._orders = world.orders
        self._today = world.today
        self._populations: dict[tuple[int, int], JsonRecord] = {}

    async def customers(self, request: web.Request) -> web.Response:
        """By email, or every customer page by page (`?scope=all&page=1&size=200`, with total)."""
        if wants_everything(request, ("emails",)):
            page = window_parameter(request, "page", 1)
            size = min(window_parameter(request, "size", 100), 1000)
            listed = self.customer_list[(page - 1) * size : page * size]
            return web.json_response({"data": listed, "total": len(self.customer_list)})
        emails = dict.fromkeys(email.lower() for email in required_batch(request, "emails"))
        found = [c for email in emails for c in self.customers_by_email.get(email, [])]
        return web.json_response({"data": found})

    async def orders(self, request: web.Request) -> web.Response:
        emails = dict.fromkeys(e.lower() for e in required_batch(request, "customer_emails"))
        found = [o for email in emails for o in self.orders_by_email.get(email, [])]
        found.sort(key=lambda o: (o["placed_at"], o["order_id"]), reverse=True)
        return web.json_response({"data": found})

    async def customer_orders(self, request: web.Request) -> web.Response:
        customer_id = request.match_info["id"]
        return web.json_response({"data": self.orders_by_customer.get(customer_id, [])})

    async def rfm_stats(self, request: web.Request) -> web.Response:
        """The cut points, and with `window_days` the population's columns too (cached)."""
        if "window_days" not in request.query:
            return web.json_response(self.rfm)
        window = window_parameter(request, "window_days", 365)
        compare = window_parameter(request, "compare_days", 90)
        if (window, compare) not in self._populations:
            self._populations[(window, compare)] = {
                **self.rfm,
                **rfm_population(self._orders, self._today, window, compare),
            }
        return web.json_response(self._populations[(window, compare)])


def create_service(world: DemoWorld, *, knobs: Knobs | None = None) -> DemoService:
    system = OrderSystem(world)
    routes = [
        web.get("/customers", system.customers),
        web.get("/orders", system.orders),
        web.get("/customers/{id}/orders", system.customer_orders),
        web.get("/stats/rfm", system.rfm_stats),
        revenue_report(world.orders),
    ]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


SCHEMAS = {
    "Customer": obj(
        {
            "id": string("Order-system customer id (own numbering).", example="OC-000123"),
            "name": string("Full name."),
            "email": string("Email as stored here (case varies).", fmt="email"),
            "phone": string("Phone as stored here (format varies).", example="+1 212 555 0143"),
            "shipping_address": string("One line, e.g. '123 Main Street, Springfield, IL 62701'."),
        }
    ),
    "OrderLine": obj(
        {
            "sku": string("Stock keeping unit.", example="SKU-10101"),
            "name": string("Product name."),
            "quantity": integer("Units."),
            "unit_price": money("Price per unit"),
        }
    ),
    "Order": obj(
        {
            "order_id": string("Order id.", example="SO-1000123"),
            "customer_id": string("Order-system customer id.", example="OC-000123"),
            "customer_email": string("Customer email as stored on the order.", fmt="email"),
            "placed_at": string("When the order was placed, ISO 8601 UTC.", fmt="date-time"),
            "status": string("Fulfilment status.", enum=ORDER_STATUSES),
            "currency": string("ISO currency code.", example="USD"),
            "total": money("sum(quantity * unit_price) - discount"),
            "cost_of_goods": money("What the goods cost us"),
            "shipping_cost": money("What shipping cost us"),
            "discount": money("Discount granted"),
            "refunded": money("What was paid back (returns)"),
            "lines": array(ref("OrderLine")),
        }
    ),
    "RfmCutPoints": obj(
        {
            "as_of": string("The moment the cut points describe, ISO 8601 UTC.", fmt="date-time"),
            "customers": integer("Customers with at least one non-cancelled order."),
            "recency_days": array(
                number("Days since last order."), "4 ascending quintile cut points."
            ),
            "frequency": array(number("Non-cancelled orders."), "4 ascending quintile cut points."),
            "monetary": array(number("Kept revenue."), "4 ascending quintile cut points."),
            "window_days": integer("With window_days: the window the columns cover."),
            "compare_days": integer("With window_days: how far back the prior_* columns end."),
            **{
                f"{prior}{name}_values": array(
                    number(f"{name} of one customer"),
                    "With window_days: one value per customer (row i of every column is one "
                    "customer, no ids), over the window ending now (or compare_days earlier "
                    "for prior_*).",
                )
                for prior in ("", "prior_")
                for name in ("recency_days", "frequency", "monetary", "tenure_days")
            },
        }
    ),
    **REVENUE_SCHEMAS,
    "CustomerList": list_of("Customer"),
    "OrderList": list_of("Order"),
}

OPENAPI = document(
    SYSTEM,
    "Order-system customers (own ids, not the CRM's), orders and RFM cut points.",
    {
        "/customers": {
            "get": get_operation(
                "getCustomersByEmails",
                "Order-system customers by email (case-insensitive), or all of them by page",
                [
                    batch_parameter("emails", "Emails.", "maria.lopez@example.com", required=False),
                    scope_parameter(),
                    *(
                        {
                            "name": name,
                            "in": "query",
                            "required": False,
                            "description": description,
                            "schema": {"type": "integer", "minimum": 1},
                        }
                        for name, description in (
                            ("page", "With scope=all: the page, from 1."),
                            ("size", "With scope=all: customers per page (at most 1000)."),
                        )
                    ),
                ],
                "CustomerList",
            )
        },
        "/orders": {
            "get": get_operation(
                "getOrdersByCustomerEmails",
                "All orders of customers by email, newest first",
                [
                    batch_parameter(
                        "customer_emails",
                        "Customer emails, case-insensitive.",
                        "maria.lopez@example.com",
                        required=True,
                    )
                ],
                "OrderList",
            )
        },
        "/customers/{id}/orders": {
            "get": get_operation(
                "getCustomerOrders",
                "All orders of one order-system customer, newest first",
                [path_parameter("id", "Order-system customer id.", "OC-000123")],
                "OrderList",
            )
        },
        "/stats/rfm": {
            "get": get_operation(
                "getRfmCutPoints",
                "RFM quintile cut points over all customers",
                [
                    {
                        "name": name,
                        "in": "query",
                        "required": False,
                        "description": description,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 3650},
                    }
                    for name, description in (
                        ("window_days", "Also return the population's value columns."),
                        ("compare_days", "Where the prior_* columns' window ends (days ago)."),
                    )
                ],
                "RfmCutPoints",
            )
        },
        **REVENUE_PATHS,
    },
    SCHEMAS,
)
