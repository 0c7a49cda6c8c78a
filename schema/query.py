"""The root ``Query``: find a customer by any identifier, or open a role's view."""

from __future__ import annotations

from typing import Any

import strawberry

from resolvers.experience import agent, ceo, cmo
from resolvers.process.candidates import search_people
from resolvers.process.errors import InvalidLookup
from resolvers.process.identity import find_people, find_person, tied
from schema.agent import AgentView
from schema.business import business_of
from schema.ceo import CeoView
from schema.cmo import CmoView
from schema.context import Info
from schema.customer import Customer
from schema.identity import CustomerCandidate
from schema.look_ahead import reads_of

MAX_IDS = 1000
MOST_MONTHS = 36


def _subfields(info: Info) -> list[Any]:
    """The subfields asked of the field being resolved (each of its merged selections)."""
    return [sub for field in info.selected_fields for sub in getattr(field, "selections", ())]


@strawberry.type
class Query:
    @strawberry.field(
        description="One customer by exactly one of: an id (the CRM's, or another system's "
        'written `<system>:<id>`, e.g. "orders:oc-17", found through the CRM field that links '
        "to it), a phone number in any common format, or an email. Null when nobody matches."
    )
    async def customer(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        phone: str | None = None,
        email: str | None = None,
    ) -> Customer | None:
        given = {k: v for k, v in (("id", id), ("phone", phone), ("email", email)) if v is not None}
        if len(given) != 1:
            raise InvalidLookup("lookup", None, hint="give exactly one of id, phone or email")
        ((kind, value),) = given.items()
        person = await find_person(info.context.customer_loaders, kind, str(value))
        return Customer(person=person) if person is not None else None

    @strawberry.field(
        description=f"Customers by id (the CRM's, or `<system>:<id>`), in the order asked "
        f"(null where unknown); at most {MAX_IDS}."
    )
    async def customers(self, info: Info, ids: list[strawberry.ID]) -> list[Customer | None]:
        if len(ids) > MAX_IDS:
            raise InvalidLookup("ids", None, hint=f"{len(ids)} ids given; at most {MAX_IDS}")
        ahead = reads_of(_subfields(info), Customer, info.schema.config.name_converter)
        people = await find_people(info.context.customer_loaders, [str(i) for i in ids], ahead)
        return [Customer(person=p) if p is not None else None for p in people]

    @strawberry.field(
        description="The call-center agent's view of the customer calling from `phone`."
    )
    async def agent_view(self, info: Info, phone: str) -> AgentView | None:
        ctx = info.context
        ahead = reads_of(_subfields(info), AgentView, info.schema.config.name_converter)
        view = await agent.agent_view(ctx.customer_loaders, phone, ctx.now, ahead, ctx.intelligence)
        return AgentView(view=view) if view is not None else None

    @strawberry.field(
        description="People who fit a name and a postcode or a street address, searched in every "
        "customer system that offers those searches; best first, each with its confidence. "
        "Records of one person in several systems are one result; equally likely people are "
        "all listed, never one picked."
    )
    async def search_customers(
        self,
        info: Info,
        name: str | None = None,
        postcode: str | None = None,
        address: str | None = None,
    ) -> list[CustomerCandidate]:
        found = await search_people(info.context.customer_loaders, name, postcode, address)
        return [
            CustomerCandidate(
                customer=Customer(person=c.person),
                confidence=c.confidence,
                matched_on=list(c.evidence),
                ambiguous=ambiguous,
            )
            for c, ambiguous in zip(found, tied([c.confidence for c in found]), strict=True)
        ]

    @strawberry.field(
        description=f"The CMO's view over the last `months` calendar months (1..{MOST_MONTHS}, "
        "the current one included): leads, campaigns, pipeline, net revenue."
    )
    def cmo_view(self, info: Info, months: int = cmo.DEFAULT_MONTHS) -> CmoView:
        loaders, settings = business_of(info.context)
        view = cmo.CmoView(loaders, settings, info.context.now, _months(months))
        return CmoView(view=view)

    @strawberry.field(
        description=f"The CEO's view over the last `months` calendar months (1..{MOST_MONTHS}, "
        "the current one included): revenue, NPS, large deals, what was created."
    )
    def ceo_view(self, info: Info, months: int = ceo.DEFAULT_MONTHS) -> CeoView:
        loaders, settings = business_of(info.context)
        view = ceo.CeoView(loaders, settings, info.context.now, _months(months))
        return CeoView(view=view)


def _months(months: int) -> int:
    if not 1 <= months <= MOST_MONTHS:
        raise InvalidLookup("months", str(months), hint=f"give 1 to {MOST_MONTHS}")
    return months
