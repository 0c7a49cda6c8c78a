"""The order system's view: its own customer records and three years of orders.

Order counts and timing are skewed (many one-off buyers, a few loyal ones, some
who stopped buying long ago) so that RFM quintiles mean something.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from random import Random
from typing import Any

from sources.demo.world.catalog import CATALOG, PREMIUM, Product
from sources.demo.world.names import title_case_email
from sources.demo.world.people import Person
from sources.demo.world.phones import format_phone, other_style
from sources.demo.world.timestamps import iso_timestamp, moment

JsonRecord = dict[str, Any]
HISTORY_DAYS = 1095


@dataclass(slots=True, frozen=True)
class OrderPlan:
    """When one order happens and how it goes, decided before its lines are drawn."""

    days_ago: int
    outcome: str  # "normal", "returned", "kept"
    premium: bool
    discount_rate: float
    shipping_cost: float | None
    cost_ratio: float


@dataclass(slots=True, frozen=True)
class Purchases:
    customers: list[JsonRecord]
    orders: list[JsonRecord]
    customer_by_person: dict[int, JsonRecord]


def order_system(rng: Random, people: list[Person], today: date) -> Purchases:
    """Order customers (`OC-…`, numbered in their own order) and orders (`SO-…`, by time)."""
    shoppers = [person for person in people if person.shops]
    rng.shuffle(shoppers)
    customers: list[JsonRecord] = []
    drafts: list[JsonRecord] = []
    by_person: dict[int, JsonRecord] = {}
    for number, person in enumerate(shoppers):
        customer = _customer(rng, person, f"OC-{101 + number:06d}")
        customers.append(customer)
        by_person[person.index] = customer
        for plan in _plans(rng, person):
            drafts.append(_order(rng, customer, plan, today))
    drafts.sort(key=lambda order: (order["placed_at"], order["customer_id"]))
    for number, order in enumerate(drafts):
        order["order_id"] = f"SO-{1000001 + number}"
    customers.sort(key=lambda customer: customer["id"])
    return Purchases(customers=customers, orders=drafts, customer_by_person=by_person)


def _customer(rng: Random, person: Person, customer_id: str) -> JsonRecord:
    cased = person.role == "email_case" or (person.role is None and rng.random() < 0.03)
    if person.role == "phone_formats":
        style = "spaced"
    else:
        style = other_style(rng, person.crm_phone_style)
    abbreviated = person.role != "street_abbreviation" and rng.random() < 0.5
    return {
        "id": customer_id,
        "name": person.full_name,
        "email": title_case_email(person.email) if cased else person.email,
        "phone": format_phone(person.phone_digits, style),
        "shipping_address": person.address.one_line(abbreviated=abbreviated),
    }


def _plans(rng: Random, person: Person) -> list[OrderPlan]:
    if person.role == "champion":
        days = [2, *rng.sample(range(3, 720), 27)]
        return [OrderPlan(day, "kept", True, 0.0, None, 0.55) for day in days]
    if person.role == "loses_money":
        days = rng.sample(range(30, 500), 8)
        outcomes = ["returned"] * 6 + ["kept"] * 2
        return [
            OrderPlan(day, outcome, False, 0.3, 24.99, 0.82)
            for day, outcome in zip(days, outcomes, strict=True)
        ]
    if person.role == "red_health":
        return [OrderPlan(day, "kept", False, 0.0, None, 0.6) for day in (200, 95, 70, 25)]
    if rng.random() < 0.1:
        return []
    count = 1 + int(29 * rng.random() ** 3)
    start = rng.randint(1, HISTORY_DAYS)
    if rng.random() < 0.35:
        end = rng.randint(min(60, start), start)
    else:
        end = rng.randint(1, min(start, 45))
    days = [end] + [rng.randint(end, start) for _ in range(count - 1)]
    discount = 0.0 if rng.random() < 0.75 else rng.choice((0.05, 0.1, 0.15, 0.2))
    return [OrderPlan(day, "normal", False, discount, None, rng.uniform(0.5, 0.68)) for day in days]


def _status(rng: Random, plan: OrderPlan) -> str:
    if plan.days_ago <= 2:
        return "processing"
    if plan.days_ago <= 6:
        return rng.choice(("shipped", "shipped", "processing"))
    if plan.outcome == "returned":
        return "returned"
    if plan.outcome == "kept":
        return "delivered"
    draw = rng.random()
    if draw < 0.04:
        return "cancelled"
    if draw < 0.10 and plan.days_ago >= 14:
        return "returned"
    return "delivered"


def _order(rng: Random, customer: JsonRecord, plan: OrderPlan, today: date) -> JsonRecord:
    shelf: tuple[Product, ...] = PREMIUM if plan.premium else CATALOG
    line_count = rng.choices((1, 2, 3, 4), weights=(5, 3, 2, 1))[0]
    lines: list[JsonRecord] = [
        {
            "sku": product.sku,
            "name": product.name,
            "quantity": rng.choices((1, 2, 3), weights=(6, 2, 1))[0],
            "unit_price": product.price,
        }
        for product in rng.sample(shelf, line_count)
    ]
    subtotal = round(sum(line["quantity"] * line["unit_price"] for line in lines), 2)
    discount = round(subtotal * plan.discount_rate, 2)
    if plan.shipping_cost is not None:
        shipping = plan.shipping_cost
    else:
        shipping = 0.0 if subtotal >= 75 else rng.choice((5.99, 7.99))
    placed_at = iso_timestamp(moment(today, plan.days_ago, rng.randrange(86400)))
    status = _status(rng, plan)
    total = round(subtotal - discount, 2)
    return {
        "order_id": "",
        "customer_id": customer["id"],
        "customer_email": customer["email"],
        "placed_at": placed_at,
        "status": status,
        "currency": "USD",
        "total": total,
        "cost_of_goods": round(subtotal * plan.cost_ratio, 2),
        "shipping_cost": shipping,
        "discount": discount,
        "refunded": total if status == "returned" else 0.0,  # a return is refunded in full
        "lines": lines,
    }
