"""A person's records from each system, fetched by the identifiers identity resolution found.

Each function makes at most one loader call per source; sorting and filtering
here is what every consumer wants (newest first), so views don't repeat it.
"""

from __future__ import annotations

from resolvers.process.identity import Person
from resolvers.system.loaders import SystemLoaders
from resolvers.system.records import (
    CurrentWeather,
    Invoice,
    Order,
    RfmCutPoints,
    SocialMention,
    Ticket,
    WebVisit,
)


async def orders_of(loaders: SystemLoaders, person: Person) -> list[Order]:
    orders: list[Order] = await loaders.load_by_any("orders", person.keys)
    return sorted(orders, key=lambda o: o.placed_at, reverse=True)


async def invoices_of(loaders: SystemLoaders, person: Person) -> list[Invoice]:
    invoices: list[Invoice] = await loaders.load_by_any("invoices", person.keys)
    return sorted(invoices, key=lambda i: (i.issued_on is not None, i.issued_on), reverse=True)


async def tickets_of(loaders: SystemLoaders, person: Person) -> list[Ticket]:
    tickets: list[Ticket] = await loaders.load_by_any("tickets", person.keys)
    return sorted(tickets, key=lambda t: (t.created_at is not None, t.created_at), reverse=True)


async def visits_of(loaders: SystemLoaders, person: Person) -> list[WebVisit]:
    visits: list[WebVisit] = await loaders.load_by_any("web_visits", person.keys)
    return sorted(visits, key=lambda v: v.started_at, reverse=True)


async def mentions_of(loaders: SystemLoaders, person: Person) -> list[SocialMention]:
    mentions: list[SocialMention] = await loaders.load_by_any("social_mentions", person.keys)
    return sorted(mentions, key=lambda m: m.posted_at, reverse=True)


async def weather_of(loaders: SystemLoaders, person: Person) -> CurrentWeather | None:
    found: list[CurrentWeather] = await loaders.load_by_any("weather", person.keys)
    return found[0] if found else None


async def rfm_cut_points(loaders: SystemLoaders) -> RfmCutPoints | None:
    """The population's quintile cut points (cached by the source config's TTL)."""
    found: list[RfmCutPoints] = await loaders.load("rfm_cutpoints", "all", "all")
    return max(found, key=lambda c: c.as_of) if found else None
