"""The ``Customer`` type: profile fields from the customer system, everything else on demand.

Each source-backed field is nullable (a dead source costs only that field) and
resolves only when a query asks for it, through one call into ``resolvers``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, cast

import strawberry

from resolvers.process import facts, scoring
from resolvers.process.errors import InvalidLookup
from resolvers.process.identity import Person
from schema.context import Info
from schema.records import Invoice, Order, SocialMention, Ticket, Weather, WebVisit
from schema.scores import Health, Identity, Rfm, Segment


@strawberry.type(description="A postal address as the customer system holds it.")
class Address:
    street: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise InvalidLookup("limit", str(limit))


def _filtered(
    records: list[Any], limit: int | None, status: str | None, since: datetime | None
) -> list[Any]:
    if status is not None:
        wanted = status.lower()
        records = [r for r in records if (r.status or "").lower() == wanted]
    if since is not None:
        records = [r for r in records if r.started_at >= since]
    return records if limit is None else records[:limit]


CUSTOMER_NEEDS: dict[str, tuple[str, ...]] = {
    "orders": ("orders",),
    "invoices": ("invoices",),
    "tickets": ("tickets",),
    "webVisits": ("web_visits",),
    "socialMentions": ("social_mentions",),
    "rfm": ("orders", "rfm_cutpoints"),
    "segment": ("orders", "rfm_cutpoints"),
    "health": ("tickets", "invoices", "social_mentions", "web_visits"),
    "weather": ("weather",),
}
"""What each source-backed Customer field is made of, so a parent can fetch it ahead."""


@strawberry.type(description="One customer, seen across every system that knows them.")
class Customer:
    person: strawberry.Private[Person]
    prefetched: strawberry.Private[dict[str, list[Any] | Exception]] = dataclasses.field(
        default_factory=dict
    )

    @strawberry.field(description="The customer's id in the primary customer system (CRM).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.person.primary.id)

    @strawberry.field
    def first_name(self) -> str | None:
        return self.person.primary.first_name

    @strawberry.field
    def last_name(self) -> str | None:
        return self.person.primary.last_name

    @strawberry.field(description="First and last name.")
    def name(self) -> str:
        p = self.person.primary
        return " ".join(part for part in (p.first_name, p.last_name) if part) or p.id

    @strawberry.field
    def email(self) -> str | None:
        return self.person.primary.email

    @strawberry.field(description="The phone number as the customer system stores it.")
    def phone(self) -> str | None:
        return self.person.primary.phone

    @strawberry.field
    def address(self) -> Address:
        return cast(Address, self.person.primary)

    @strawberry.field(description="Which records in which systems are this person.")
    def identities(self) -> list[Identity]:
        return cast(list[Identity], list(self.person.identities))

    @strawberry.field(description="Orders, newest first.")
    def orders(self, info: Info, limit: int | None = None) -> list[Order] | None:
        return cast("list[Order] | None", self._records(info, "orders", limit))

    @strawberry.field(description="Invoices and credit notes, newest first.")
    def invoices(
        self, info: Info, status: str | None = None, limit: int | None = None
    ) -> list[Invoice] | None:
        return cast("list[Invoice] | None", self._records(info, "invoices", limit, status=status))

    @strawberry.field(description="Support tickets, newest first.")
    def tickets(
        self, info: Info, status: str | None = None, limit: int | None = None
    ) -> list[Ticket] | None:
        return cast("list[Ticket] | None", self._records(info, "tickets", limit, status=status))

    @strawberry.field(description="Website visits, newest first.")
    def web_visits(
        self, info: Info, since: datetime | None = None, limit: int | None = None
    ) -> list[WebVisit] | None:
        return cast("list[WebVisit] | None", self._records(info, "web_visits", limit, since=since))

    @strawberry.field(description="Social media posts by this customer, newest first.")
    def social_mentions(self, info: Info, limit: int | None = None) -> list[SocialMention] | None:
        return cast("list[SocialMention] | None", self._records(info, "social_mentions", limit))

    def _records(
        self,
        info: Info,
        kind: str,
        limit: int | None,
        *,
        status: str | None = None,
        since: datetime | None = None,
    ) -> Any:
        """The list from what the parent prefetched, or else fetched now (an awaitable).

        Plain values need no task of their own, which is most of the cost of a
        field on a list of many customers.
        """
        _check_limit(limit)
        prefetched = self.prefetched.get(kind)
        if prefetched is None:
            return self._fetched(info, kind, limit, status, since)
        if isinstance(prefetched, Exception):
            raise prefetched
        return _filtered(prefetched, limit, status, since)

    async def _fetched(
        self,
        info: Info,
        kind: str,
        limit: int | None,
        status: str | None,
        since: datetime | None,
    ) -> list[Any]:
        records = await facts.records_of(info.context.loaders, self.person, kind)
        return _filtered(records, limit, status, since)

    @strawberry.field(description="Current weather where the customer lives.")
    async def weather(self, info: Info) -> Weather | None:
        return cast(Weather | None, await facts.weather_of(info.context.loaders, self.person))

    @strawberry.field(description="RFM scores against the whole customer population.")
    async def rfm(self, info: Info) -> Rfm | None:
        ctx = info.context
        return cast(Rfm, await scoring.rfm_of(ctx.loaders, self.person, ctx.now))

    @strawberry.field(description="The customer's RFM segment.")
    async def segment(self, info: Info) -> Segment | None:
        ctx = info.context
        return cast(Segment, await scoring.segment_of(ctx.loaders, self.person, ctx.now))

    @strawberry.field(description="Red / yellow / green light with the reasons.")
    async def health(self, info: Info) -> Health | None:
        ctx = info.context
        return cast(Health, await scoring.health_of(ctx.loaders, self.person, ctx.now))
