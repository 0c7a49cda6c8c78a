"""The call-center agent's view: the caller, the light, and what is open right now."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, cast

import strawberry

from resolvers.experience import agent
from resolvers.process import facts
from resolvers.process.health import health_light
from resolvers.process.identity import Person
from schema.context import Info
from schema.customer import Customer
from schema.records import Invoice, Order, SocialMention, Ticket, WebVisit
from schema.scores import Health


@strawberry.type(description="Everything the agent needs before saying hello.")
class AgentView:
    person: strawberry.Private[Person]
    prefetched: strawberry.Private[dict[str, list[Any] | Exception]]

    @strawberry.field
    def customer(self) -> Customer:
        return Customer(person=self.person)

    @strawberry.field(description="Red / yellow / green with the reasons.")
    def health(self, info: Info) -> Health | None:
        now = info.context.now

        def light(tickets: Any, invoices: Any, mentions: Any, visits: Any) -> Any:
            return health_light(tickets, invoices, mentions, visits, now)

        return cast("Health | None", self._section(info, agent.SECTION_NEEDS["health"], light))

    @strawberry.field
    def open_tickets(self, info: Info) -> list[Ticket] | None:
        return cast("list[Ticket] | None", self._section(info, ("tickets",), agent.open_tickets))

    @strawberry.field
    def recent_orders(self, info: Info, limit: int = agent.RECENT_ORDERS) -> list[Order] | None:
        limit = max(0, min(limit, 100))
        return cast(
            "list[Order] | None",
            self._section(info, ("orders",), lambda orders: agent.recent_orders(orders, limit)),
        )

    @strawberry.field
    def unpaid_invoices(self, info: Info) -> list[Invoice] | None:
        return cast(
            "list[Invoice] | None", self._section(info, ("invoices",), agent.unpaid_invoices)
        )

    @strawberry.field(description="Website visits since midnight UTC, with their carts.")
    def web_activity_today(self, info: Info) -> list[WebVisit] | None:
        now = info.context.now
        return cast(
            "list[WebVisit] | None",
            self._section(info, ("web_visits",), lambda v: agent.web_activity_today(v, now)),
        )

    @strawberry.field
    def recent_mentions(
        self, info: Info, days: int = agent.RECENT_MENTION_DAYS
    ) -> list[SocialMention] | None:
        now, days = info.context.now, max(0, min(days, 3650))
        return cast(
            "list[SocialMention] | None",
            self._section(
                info, ("social_mentions",), lambda m: agent.recent_mentions(m, now, days)
            ),
        )

    def _section(self, info: Info, kinds: Sequence[str], shape: Callable[..., Any]) -> Any:
        """The section from the prefetched lists, or (not prefetched) an awaitable of it.

        A plain value needs no task of its own; a source that failed stands in
        its lists' place and fails the section, as a fetch would.
        """
        lists = [self.prefetched.get(kind) for kind in kinds]
        if any(found is None for found in lists):
            return self._fetched(info, kinds, shape)
        for found in lists:
            if isinstance(found, Exception):
                raise found
        return shape(*lists)

    async def _fetched(self, info: Info, kinds: Sequence[str], shape: Callable[..., Any]) -> Any:
        loaders = info.context.loaders
        lists = await asyncio.gather(*(facts.records_of(loaders, self.person, k) for k in kinds))
        return shape(*lists)
