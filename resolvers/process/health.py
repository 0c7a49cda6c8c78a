"""The agent's red / yellow / green light and the reasons behind it.

Red means "handle with care before you say hello": an urgent open ticket, an
overdue invoice, or a recent angry post. Yellow: something open that the agent
should know about, a high churn risk, or a customer who costs more than they
bring. Green: nothing on record that needs attention.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING

from resolvers.system.records import Invoice, SocialMention, Ticket, WebVisit

if TYPE_CHECKING:
    from resolvers.process.churn import ChurnRisk
    from resolvers.process.profitability import Profitability

OPEN_TICKET = frozenset({"new", "open", "pending"})
PRESSING = frozenset({"urgent", "high"})
NEGATIVE_SCORE = -0.5


class Light(Enum):
    GREEN = "GREEN"
    YELLOW = "YELLOW"
    RED = "RED"


@dataclass(slots=True, frozen=True)
class HealthReason:
    code: str
    light: Light
    message: str


@dataclass(slots=True, frozen=True)
class Health:
    light: Light
    reasons: tuple[HealthReason, ...]


def is_open(ticket: Ticket) -> bool:
    return ticket.status.lower() in OPEN_TICKET


def is_unpaid(invoice: Invoice) -> bool:
    return (invoice.kind or "invoice") == "invoice" and (
        (invoice.status or "").lower() in {"open", "overdue"}
        and invoice.amount - invoice.amount_paid > 0.005
    )


def is_overdue(invoice: Invoice, now: datetime) -> bool:
    return is_unpaid(invoice) and (
        (invoice.status or "").lower() == "overdue"
        or (invoice.due_on is not None and invoice.due_on < now.date())
    )


def is_negative(mention: SocialMention) -> bool:
    if mention.sentiment_score is not None:
        return mention.sentiment_score <= NEGATIVE_SCORE
    return (mention.sentiment or "").lower() == "negative"


@dataclass(slots=True, frozen=True)
class Signals:
    """What intelligence adds to the light: churn risk and profitability (see their modules)."""

    churn: ChurnRisk | None = None
    profit: Profitability | None = None


def signal_reasons(signals: Signals) -> list[HealthReason]:
    """High churn risk and a customer who costs more than they bring: yellow, with why."""
    reasons = []
    churn = signals.churn
    if churn is not None and churn.level == "HIGH":
        why = "; ".join(r.message for r in churn.reasons[:2])
        reasons.append(
            HealthReason("CHURN_RISK", Light.YELLOW, f"High churn risk ({churn.score:.2f}): {why}")
        )
    profit = signals.profit
    if profit is not None and profit.profit < 0:
        reasons.append(
            HealthReason(
                "UNPROFITABLE",
                Light.YELLOW,
                f"Costs more than it brings: profit {profit.profit:.2f} "
                f"(refunds {profit.refunds:.2f}, serving {profit.cost_to_serve:.2f})",
            )
        )
    return reasons


def health_light(
    tickets: Iterable[Ticket],
    invoices: Iterable[Invoice],
    mentions: Iterable[SocialMention],
    visits: Iterable[WebVisit],
    now: datetime,
    signals: Signals | None = None,
) -> Health:
    """Every rule that fires becomes a reason; the light is the worst of them."""
    reasons: list[HealthReason] = signal_reasons(signals) if signals is not None else []
    for ticket in tickets:
        if not is_open(ticket):
            continue
        priority = (ticket.priority or "normal").lower()
        light = Light.RED if priority in PRESSING else Light.YELLOW
        reasons.append(
            HealthReason(
                "OPEN_TICKET",
                light,
                f"{priority.capitalize()}-priority ticket #{ticket.id} is {ticket.status}: "
                f"{ticket.subject}",
            )
        )
    for invoice in invoices:
        if is_overdue(invoice, now):
            due = invoice.amount - invoice.amount_paid
            reasons.append(
                HealthReason(
                    "OVERDUE_INVOICE",
                    Light.RED,
                    f"Invoice {invoice.id} is overdue: {due:.2f} {invoice.currency or ''}".rstrip(),
                )
            )
        elif is_unpaid(invoice):
            reasons.append(
                HealthReason("UNPAID_INVOICE", Light.YELLOW, f"Invoice {invoice.id} is unpaid")
            )
    for mention in mentions:
        age = now - mention.posted_at
        if is_negative(mention) and age <= timedelta(days=30):
            light = Light.RED if age <= timedelta(days=7) else Light.YELLOW
            network = mention.network or "social media"
            reasons.append(
                HealthReason(
                    "NEGATIVE_MENTION",
                    light,
                    f"Negative post on {network} {age.days} day(s) ago: {mention.text or ''}",
                )
            )
    for visit in visits:
        if (
            visit.cart_status or ""
        ).lower() == "abandoned" and visit.started_at.date() == now.date():
            value = f" worth {visit.cart_value:.2f}" if visit.cart_value is not None else ""
            reasons.append(
                HealthReason("ABANDONED_CART", Light.YELLOW, f"Abandoned a cart{value} today")
            )
    order = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}
    reasons.sort(key=lambda r: -order[r.light])
    light = reasons[0].light if reasons else Light.GREEN
    return Health(light, tuple(reasons))
