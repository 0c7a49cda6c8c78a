"""The call-center agent's view: who is calling, how are things, what is open right now.

Shaped for a screen that must be up before the agent says hello. ``AgentView``
owns the whole shape: each section is one method, made only when asked for, from
the caller's records (sections asking for the same records share one lookup per
source through the request's loaders). A CMO or CEO view is a module like this one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from resolvers.process import facts, scoring
from resolvers.process.health import Health, is_open, is_unpaid
from resolvers.process.identity import Person, find_person
from resolvers.process.intelligence import Intelligence
from resolvers.process.offers import OfferChoice
from resolvers.process.policy import DEFAULT_POLICY, IntelligencePolicy
from resolvers.system.customer_loaders import Ahead, CustomerLoaders
from resolvers.system.records import Invoice, Order, SocialMention, Ticket, WebVisit

HEALTH_READS = scoring.HEALTH_READS
"""What the health section is made of (the named loaders it reads)."""
OFFER_READS = scoring.OFFER_READS

RECENT_ORDERS = 5
MOST_RECENT_ORDERS = 100
RECENT_MENTION_DAYS = 30
MOST_MENTION_DAYS = 3650


async def agent_view(
    loaders: CustomerLoaders,
    phone: str,
    now: datetime,
    reads: Collection[Ahead] = (),
    intelligence: Intelligence | None = None,
) -> AgentView | None:
    """The view of the customer behind the phone number the call came from; None if unknown.

    What the screen will read (``reads``: the asked sections' named loaders) is
    loaded in one wait, so every section then answers at once. With the process's
    ``intelligence``, the offer counts it keeps (read from its store every few
    seconds) start loading now, overlapping the sources' answers, not after them.
    """
    if intelligence is not None and intelligence.outcomes is not None and _offers(reads):
        intelligence.outcomes.prefetch_tallies()
    person = await find_person(loaders, "phone", phone, reads)
    return AgentView(person, loaders, now) if person is not None else None


@dataclass(slots=True, frozen=True)
class AgentView:
    """The caller and the sections of the agent's screen, as of ``now``."""

    person: Person
    loaders: CustomerLoaders
    now: datetime

    async def health(self, policy: IntelligencePolicy = DEFAULT_POLICY) -> Health:
        """Red / yellow / green with the reasons: what to handle with care before hello."""
        return await scoring.health_of(self.loaders, self.person, self.now, policy)

    async def next_best_offer(self, intelligence: Intelligence) -> OfferChoice | None:
        """What to offer the caller, if anything (marketing offers only with consent)."""
        return await scoring.next_best_offer_of(self.loaders, self.person, self.now, intelligence)

    async def open_tickets(self) -> list[Ticket]:
        return open_tickets(await facts.tickets_of(self.loaders, self.person))

    async def recent_orders(self, limit: int = RECENT_ORDERS) -> list[Order]:
        """The newest ``limit`` orders (clamped to 0..100: a screen, not an export)."""
        limit = max(0, min(limit, MOST_RECENT_ORDERS))
        return await facts.orders_of(self.loaders, self.person, limit)

    async def unpaid_invoices(self) -> list[Invoice]:
        return unpaid_invoices(await facts.invoices_of(self.loaders, self.person))

    async def web_activity_today(self) -> list[WebVisit]:
        """Website visits since midnight UTC, with their carts."""
        return web_activity_today(await facts.visits_of(self.loaders, self.person), self.now)

    async def recent_mentions(self, days: int = RECENT_MENTION_DAYS) -> list[SocialMention]:
        """Posts of the last ``days`` days (clamped to 0..3650)."""
        days = max(0, min(days, MOST_MENTION_DAYS))
        mentions = await facts.mentions_of(self.loaders, self.person)
        return recent_mentions(mentions, self.now, days)


def _offers(reads: Collection[Ahead]) -> bool:
    """Whether the screen reads what the next best offer does (it may ask for it)."""
    return all(name in reads for name in OFFER_READS)


def open_tickets(tickets: list[Ticket]) -> list[Ticket]:
    return [t for t in tickets if is_open(t)]


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
