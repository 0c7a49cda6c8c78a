"""The call-center agent's view: who is calling, how are things, what is open right now.

Shaped for a screen that must be up before the agent says hello: each section
is made only if the saved query asks for it, from lists fetched all at once
(health and the lists share them). The sections are pure functions of those lists.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from resolvers.process.health import is_open, is_unpaid
from resolvers.process.identity import Person, find_person
from resolvers.system.loaders import SystemLoaders
from resolvers.system.records import Invoice, Order, SocialMention, Ticket, WebVisit

RECENT_ORDERS = 5
RECENT_MENTION_DAYS = 30


async def caller(loaders: SystemLoaders, phone: str) -> Person | None:
    """The customer behind the phone number the call came from."""
    return await find_person(loaders, "phone", phone)


SECTION_NEEDS: dict[str, tuple[str, ...]] = {
    "health": ("tickets", "invoices", "social_mentions", "web_visits"),
    "openTickets": ("tickets",),
    "recentOrders": ("orders",),
    "unpaidInvoices": ("invoices",),
    "webActivityToday": ("web_visits",),
    "recentMentions": ("social_mentions",),
}
"""The lists each section of the view is made of (by GraphQL field name)."""


def open_tickets(tickets: list[Ticket]) -> list[Ticket]:
    return [t for t in tickets if is_open(t)]


def recent_orders(orders: list[Order], limit: int = RECENT_ORDERS) -> list[Order]:
    return orders[:limit]


def unpaid_invoices(invoices: list[Invoice]) -> list[Invoice]:
    return [i for i in invoices if is_unpaid(i)]


def web_activity_today(visits: list[WebVisit], now: datetime) -> list[WebVisit]:
    today = now.date()
    return [v for v in visits if v.started_at.date() == today]


def recent_mentions(
    mentions: list[SocialMention], now: datetime, days: int = RECENT_MENTION_DAYS
) -> list[SocialMention]:
    cutoff = now - timedelta(days=days)
    return [m for m in mentions if m.posted_at >= cutoff]
