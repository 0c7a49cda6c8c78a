"""The call-center agent's view: the caller, the light, and what is open right now."""

from __future__ import annotations

from typing import Any, cast

import strawberry

from resolvers.experience import agent
from resolvers.process import scoring
from resolvers.process.identity import Person
from schema.context import Info
from schema.customer import Customer
from schema.records import Invoice, Order, SocialMention, Ticket, WebVisit
from schema.scores import Health


@strawberry.type(description="Everything the agent needs before saying hello.")
class AgentView:
    person: strawberry.Private[Person]

    @strawberry.field
    def customer(self) -> Customer:
        return Customer(person=self.person)

    @strawberry.field(description="Red / yellow / green with the reasons.")
    async def health(self, info: Info) -> Health | None:
        ctx = info.context
        return cast(Health, await scoring.health_of(ctx.loaders, self.person, ctx.now))

    @strawberry.field
    async def open_tickets(self, info: Info) -> list[Ticket] | None:
        return cast(list[Any], await agent.open_tickets(info.context.loaders, self.person))

    @strawberry.field
    async def recent_orders(
        self, info: Info, limit: int = agent.RECENT_ORDERS
    ) -> list[Order] | None:
        limit = max(0, min(limit, 100))
        return cast(list[Any], await agent.recent_orders(info.context.loaders, self.person, limit))

    @strawberry.field
    async def unpaid_invoices(self, info: Info) -> list[Invoice] | None:
        return cast(list[Any], await agent.unpaid_invoices(info.context.loaders, self.person))

    @strawberry.field(description="Website visits since midnight UTC, with their carts.")
    async def web_activity_today(self, info: Info) -> list[WebVisit] | None:
        ctx = info.context
        return cast(list[Any], await agent.web_activity_today(ctx.loaders, self.person, ctx.now))

    @strawberry.field
    async def recent_mentions(
        self, info: Info, days: int = agent.RECENT_MENTION_DAYS
    ) -> list[SocialMention] | None:
        ctx = info.context
        days = max(0, min(days, 3650))
        return cast(list[Any], await agent.recent_mentions(ctx.loaders, self.person, ctx.now, days))
