"""The call-center agent's view: the caller, the light, and what is open right now.

A thin GraphQL face of ``resolvers.experience.agent.AgentView``: each field calls
one method of the view, which owns what the section means; ``reads`` says which
named loaders the method reads, so the asked sections load in one wait.
"""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.experience import agent
from schema.context import Info
from schema.customer import Customer
from schema.intelligence import NextBestOffer
from schema.look_ahead import reads
from schema.records import Invoice, Order, SocialMention, Ticket, WebVisit
from schema.scores import Health


@strawberry.type(description="Everything the agent needs before saying hello.")
class AgentView:
    view: strawberry.Private[agent.AgentView]

    @strawberry.field(metadata=reads(then=Customer))
    def customer(self) -> Customer:
        return Customer(person=self.view.person)

    @strawberry.field(
        description="Red / yellow / green with the reasons.",
        metadata=reads(*agent.HEALTH_READS),
    )
    async def health(self, info: Info) -> Health | None:
        return cast(Health, await self.view.health(info.context.intelligence.policy))

    @strawberry.field(
        description="The offer to make the caller, if any (marketing offers need consent).",
        metadata=reads(*agent.OFFER_READS),
    )
    async def next_best_offer(self, info: Info) -> NextBestOffer | None:
        choice = await self.view.next_best_offer(info.context.intelligence)
        return NextBestOffer(choice=choice) if choice is not None else None

    @strawberry.field(metadata=reads("tickets"))
    async def open_tickets(self) -> list[Ticket] | None:
        return cast("list[Ticket]", await self.view.open_tickets())

    @strawberry.field(metadata=reads("orders"))
    async def recent_orders(self, limit: int = agent.RECENT_ORDERS) -> list[Order] | None:
        return cast("list[Order]", await self.view.recent_orders(limit))

    @strawberry.field(metadata=reads("invoices"))
    async def unpaid_invoices(self) -> list[Invoice] | None:
        return cast("list[Invoice]", await self.view.unpaid_invoices())

    @strawberry.field(
        description="Website visits since midnight UTC, with their carts.",
        metadata=reads("web_visits"),
    )
    async def web_activity_today(self) -> list[WebVisit] | None:
        return cast("list[WebVisit]", await self.view.web_activity_today())

    @strawberry.field(metadata=reads("social_mentions"))
    async def recent_mentions(
        self, days: int = agent.RECENT_MENTION_DAYS
    ) -> list[SocialMention] | None:
        return cast("list[SocialMention]", await self.view.recent_mentions(days))
