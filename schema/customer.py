"""The ``Customer`` type: profile fields from the customer system, everything else on demand.

Each source-backed field is nullable (a dead source costs only that field) and
resolves only when a query asks for it, through one call into ``resolvers``;
the type holds nothing but the ``Person``.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from resolvers.process import candidates, facts, scoring
from resolvers.process.identity import Person
from schema.context import Info
from schema.identity import CustomerCandidate, DataConflict
from schema.intelligence import ChurnRisk, LifetimeValue, NextBestOffer, Profitability
from schema.look_ahead import reads
from schema.records import Invoice, Order, SocialMention, Ticket, Weather, WebVisit
from schema.scores import Health, Identity, Rfm, Segment


@strawberry.type(description="A postal address as the customer system holds it.")
class Address:
    street: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None


@strawberry.type(description="One customer, seen across every system that knows them.")
class Customer:
    person: strawberry.Private[Person]

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

    @strawberry.field(
        description="Which records in which systems are this person, matched on what evidence, "
        "how surely: the lookup's records, those of other customer systems whose weighed "
        "evidence reaches the match threshold (found by their searches when this is asked), "
        "and the ids a source holds for other systems."
    )
    async def identities(self, info: Info) -> list[Identity] | None:
        await candidates.resolve_matches(info.context.customer_loaders, [self.person])
        return cast(list[Identity], list(self.person.identities))

    @strawberry.field(
        description="Where this person's records in the customer systems disagree, per field "
        "(name, email, phone, address, birthDate). Differences of format only ('St' and "
        "'Street', phone formats, case) are left out unless `includeFormatOnly`."
    )
    async def data_quality(
        self, info: Info, include_format_only: bool = False
    ) -> list[DataConflict] | None:
        loaders = info.context.customer_loaders
        found = await candidates.data_quality_of(loaders, self.person, include_format_only)
        return cast(list[DataConflict], found)

    @strawberry.field(
        description="How sure the lookup is that this is the person it asked for (0 to 1); "
        "lower when it found several people (see `candidates`)."
    )
    def match_confidence(self) -> float:
        return self.person.lookup_confidence

    @strawberry.field(
        description="Other people the same lookup found (a household sharing a phone), "
        "most likely first; empty when the lookup found one person."
    )
    def candidates(self) -> list[CustomerCandidate]:
        return [
            CustomerCandidate(
                customer=Customer(person=c.person),
                confidence=c.confidence,
                matched_on=list(c.evidence),
                ambiguous=ambiguous,
            )
            for c, ambiguous in zip(
                self.person.candidates, self.person.candidates_tied[1:], strict=True
            )
        ]

    @strawberry.field(
        description="True when one of `candidates` is as likely as this person: the lookup "
        "could not tell them apart (two people on one phone, nothing else to go by), and "
        "this one is answered only as the first of them. Ask the caller."
    )
    def ambiguous(self) -> bool:
        return self.person.ambiguous

    @strawberry.field(description="Orders, newest first.", metadata=reads("orders"))
    async def orders(self, info: Info, limit: int | None = None) -> list[Order] | None:
        orders = await facts.orders_of(info.context.customer_loaders, self.person, limit)
        return cast("list[Order]", orders)

    @strawberry.field(
        description="Invoices and credit notes, newest first.", metadata=reads("invoices")
    )
    async def invoices(
        self, info: Info, status: str | None = None, limit: int | None = None
    ) -> list[Invoice] | None:
        loaders = info.context.customer_loaders
        return cast("list[Invoice]", await facts.invoices_of(loaders, self.person, status, limit))

    @strawberry.field(description="Support tickets, newest first.", metadata=reads("tickets"))
    async def tickets(
        self, info: Info, status: str | None = None, limit: int | None = None
    ) -> list[Ticket] | None:
        loaders = info.context.customer_loaders
        return cast("list[Ticket]", await facts.tickets_of(loaders, self.person, status, limit))

    @strawberry.field(
        description="Website visits, newest first. `since` must carry a time zone "
        '(e.g. "2025-06-01T12:00:00Z"); without one it is a BAD_USER_INPUT error.',
        metadata=reads("web_visits"),
    )
    async def web_visits(
        self, info: Info, since: datetime | None = None, limit: int | None = None
    ) -> list[WebVisit] | None:
        loaders = info.context.customer_loaders
        return cast("list[WebVisit]", await facts.visits_of(loaders, self.person, since, limit))

    @strawberry.field(
        description="Social media posts by this customer, newest first.",
        metadata=reads("social_mentions"),
    )
    async def social_mentions(
        self, info: Info, limit: int | None = None
    ) -> list[SocialMention] | None:
        mentions = await facts.mentions_of(info.context.customer_loaders, self.person, limit)
        return cast("list[SocialMention]", mentions)

    @strawberry.field(
        description="Current weather where the customer lives.", metadata=reads("weather")
    )
    async def weather(self, info: Info) -> Weather | None:
        return cast(
            Weather | None, await facts.weather_of(info.context.customer_loaders, self.person)
        )

    @strawberry.field(
        description="RFM scores against the whole customer population.",
        metadata=reads(*scoring.RFM_READS),
    )
    async def rfm(self, info: Info) -> Rfm | None:
        ctx = info.context
        intel = ctx.intelligence
        rfm = await scoring.rfm_of(
            ctx.customer_loaders, self.person, ctx.now, intel.policy, intel.scanned, intel.snapshots
        )
        return cast(Rfm, rfm)

    @strawberry.field(description="The customer's RFM segment.", metadata=reads(*scoring.RFM_READS))
    async def segment(self, info: Info) -> Segment | None:
        ctx = info.context
        intel = ctx.intelligence
        segment = await scoring.segment_of(
            ctx.customer_loaders, self.person, ctx.now, intel.policy, intel.scanned, intel.snapshots
        )
        return cast(Segment, segment)

    @strawberry.field(
        description="Red / yellow / green light with the reasons.",
        metadata=reads(*scoring.HEALTH_READS),
    )
    async def health(self, info: Info) -> Health | None:
        ctx = info.context
        return cast(Health, await scoring.health_of(ctx.customer_loaders, self.person, ctx.now))

    @strawberry.field(
        description="Revenue less the cost of goods, discounts, refunds, shipping and serving.",
        metadata=reads(*scoring.PROFIT_READS),
    )
    async def profitability(self, info: Info) -> Profitability | None:
        ctx = info.context
        found = await scoring.profitability_of(
            ctx.customer_loaders, self.person, ctx.now, ctx.intelligence.policy
        )
        return cast(Profitability, found)

    @strawberry.field(
        description="Expected purchases and value over the configured horizon (BG/NBD + "
        "Gamma-Gamma); a MODEL_NOT_READY error until the background fit is done.",
        metadata=reads(*scoring.RFM_READS),
    )
    async def lifetime_value(self, info: Info) -> LifetimeValue | None:
        ctx = info.context
        found = await scoring.lifetime_value_of(
            ctx.customer_loaders, self.person, ctx.now, ctx.intelligence
        )
        return cast(LifetimeValue, found)

    @strawberry.field(
        description="Churn risk with its reasons.", metadata=reads(*scoring.CHURN_READS)
    )
    async def churn_risk(self, info: Info) -> ChurnRisk | None:
        ctx = info.context
        found = await scoring.churn_of(
            ctx.customer_loaders, self.person, ctx.now, ctx.intelligence.policy
        )
        return cast(ChurnRisk, found)

    @strawberry.field(
        description="The offer with the highest expected value from the acceptance rates in "
        "the customer's segment; only non-marketing offers without marketing consent; null "
        "when none applies or none is worth more than nothing.",
        metadata=reads(*scoring.OFFER_READS),
    )
    async def next_best_offer(self, info: Info) -> NextBestOffer | None:
        ctx = info.context
        choice = await scoring.next_best_offer_of(
            ctx.customer_loaders, self.person, ctx.now, ctx.intelligence
        )
        return NextBestOffer(choice=choice) if choice is not None else None
