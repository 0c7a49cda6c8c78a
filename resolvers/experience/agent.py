"""The call-center agent's view: who is calling, how are things, what is open right now.

Shaped for a screen that must be up before the agent says hello: each section
is fetched only if the saved query asks for it, all sections concurrently, and
each from the same per-request loaders (so health and the lists share fetches).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from resolvers.process.facts import invoices_of, mentions_of, orders_of, tickets_of, visits_of
from resolvers.process.health import is_open, is_unpaid
from resolvers.process.identity import Person, find_person
from resolvers.system.loaders import SystemLoaders
from resolvers.system.records import Invoice, Order, SocialMention, Ticket, WebVisit

RECENT_ORDERS = 5
RECENT_MENTION_DAYS = 30


async def caller(loaders: SystemLoaders, phone: str) -> Person | None:
    """The customer behind the phone number the call came from."""
    return await find_person(loaders, "phone", phone)


async def open_tickets(loaders: SystemLoaders, person: Person) -> list[Ticket]:
    return [t for t in await tickets_of(loaders, person) if is_open(t)]


async def recent_orders(
    loaders: SystemLoaders, person: Person, limit: int = RECENT_ORDERS
) -> list[Order]:
    return (await orders_of(loaders, person))[:limit]


async def unpaid_invoices(loaders: SystemLoaders, person: Person) -> list[Invoice]:
    return [i for i in await invoices_of(loaders, person) if is_unpaid(i)]


async def web_activity_today(
    loaders: SystemLoaders, person: Person, now: datetime
) -> list[WebVisit]:
    today = now.date()
    return [v for v in await visits_of(loaders, person) if v.started_at.date() == today]


async def recent_mentions(
    loaders: SystemLoaders, person: Person, now: datetime, days: int = RECENT_MENTION_DAYS
) -> list[SocialMention]:
    cutoff = now - timedelta(days=days)
    return [m for m in await mentions_of(loaders, person) if m.posted_at >= cutoff]
