"""Profitability and cost to serve: what a customer brings, less what they cost us.

profit = revenue − cost of goods − discounts − refunds − shipping − cost to serve,
where revenue is the list value of purchases (total + discount), refunds are
capped at their order's total, the goods of a fully refunded order are taken as
restocked (no cost of goods), and cost to serve is the tickets handled at a unit
cost per channel (intelligence config). Purchases follow the RFM rules (no
cancelled, non-positive or future-dated order). The tier is the first of the
configured tiers the profit reaches; the last, NEGATIVE by default, is "costs
more than it brings".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from resolvers.process.policy import IntelligencePolicy
from resolvers.process.rfm import is_purchase, kept_amount
from resolvers.system.records import Order, Ticket


@dataclass(slots=True, frozen=True)
class TicketCost:
    channel: str
    tickets: int
    cost: float


@dataclass(slots=True, frozen=True)
class Profitability:
    revenue: float
    discounts: float
    refunds: float
    cost_of_goods: float
    shipping: float
    cost_to_serve: float
    profit: float
    tier: str
    tickets: tuple[TicketCost, ...]
    notes: tuple[str, ...]
    """Data the figures had to correct (refunds larger than their order...)."""


def profitability(
    orders: Iterable[Order], tickets: Iterable[Ticket], now: datetime, policy: IntelligencePolicy
) -> Profitability:
    revenue = discounts = refunds = goods = shipping = 0.0
    notes: list[str] = []
    for order in orders:
        if not is_purchase(order, now):
            continue
        discount = max(0.0, order.discount or 0.0)
        refunded = order.total - kept_amount(order)
        if order.refunded is not None and order.refunded > order.total:
            notes.append(
                f"Order {order.id}: refund {order.refunded:.2f} exceeds its total "
                f"{order.total:.2f}; counted as {order.total:.2f}"
            )
        revenue += order.total + discount
        discounts += discount
        refunds += refunded
        if refunded < order.total:  # a fully refunded order's goods came back
            goods += max(0.0, order.cost_of_goods or 0.0)
        shipping += max(0.0, order.shipping_cost or 0.0)
    per_channel = Counter((t.channel or "other").lower() for t in tickets)
    ticket_costs = tuple(
        TicketCost(
            channel,
            count,
            round(count * policy.ticket_costs.get(channel, policy.default_ticket_cost), 2),
        )
        for channel, count in sorted(per_channel.items())
    )
    to_serve = sum(t.cost for t in ticket_costs)
    profit = revenue - discounts - refunds - goods - shipping - to_serve
    return Profitability(
        revenue=round(revenue, 2),
        discounts=round(discounts, 2),
        refunds=round(refunds, 2),
        cost_of_goods=round(goods, 2),
        shipping=round(shipping, 2),
        cost_to_serve=round(to_serve, 2),
        profit=round(profit, 2),
        tier=tier_of(profit, policy),
        tickets=ticket_costs,
        notes=tuple(notes),
    )


def tier_of(profit: float, policy: IntelligencePolicy) -> str:
    for tier in policy.profitability_tiers:
        if tier.min_profit is None or profit >= tier.min_profit:
            return tier.name
    return policy.profitability_tiers[-1].name
