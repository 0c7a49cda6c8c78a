"""The root ``Query``: find a customer by any identifier, or open a role's view."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import strawberry
from strawberry.types.nodes import SelectedField

from resolvers.experience import agent
from resolvers.process import facts
from resolvers.process.errors import InvalidLookup
from resolvers.process.identity import find_people, find_person
from schema.agent import AgentView
from schema.context import Info
from schema.customer import CUSTOMER_NEEDS, Customer

MAX_IDS = 1000


def _plain_fields(selections: Iterable[Any], names: Collection[str]) -> list[SelectedField]:
    """The selections among ``names`` made plainly (no directive, not in a fragment).

    Only those are fetched ahead: a field under @skip or @include may not be
    wanted, and asking a source for what nobody reads is not allowed.
    """
    return [
        s
        for s in selections
        if isinstance(s, SelectedField) and s.name in names and not s.directives
    ]


def _needs(selected: Iterable[Any], table: dict[str, tuple[str, ...]]) -> set[str]:
    """The kinds of records the plainly selected subfields of ``selected`` are made of."""
    return {
        kind
        for field in selected
        if isinstance(field, SelectedField)
        for sub in _plain_fields(field.selections, table)
        for kind in table[sub.name]
    }


@strawberry.type
class Query:
    @strawberry.field(
        description="One customer by exactly one of: an id (the CRM's), a phone number in any "
        "common format, or an email. Null when nobody matches."
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
            raise InvalidLookup("lookup", "give exactly one of id, phone or email")
        ((kind, value),) = given.items()
        person = await find_person(info.context.loaders, kind, str(value))
        return Customer(person=person) if person is not None else None

    @strawberry.field(
        description=f"Customers by id, in the order asked (null where unknown); at most {MAX_IDS}."
    )
    async def customers(self, info: Info, ids: list[strawberry.ID]) -> list[Customer | None]:
        if len(ids) > MAX_IDS:
            raise InvalidLookup("ids", f"{len(ids)} ids (at most {MAX_IDS})")
        loaders = info.context.loaders
        people = await find_people(loaders, [str(i) for i in ids])
        found = [p for p in people if p is not None]
        kinds = _needs(info.selected_fields, CUSTOMER_NEEDS)
        lists = iter(await facts.prefetch(loaders, found, kinds) if kinds and found else [])
        return [
            Customer(person=p, prefetched=next(lists, {})) if p is not None else None
            for p in people
        ]

    @strawberry.field(
        description="The call-center agent's view of the customer calling from `phone`."
    )
    async def agent_view(self, info: Info, phone: str) -> AgentView | None:
        loaders = info.context.loaders
        person = await agent.caller(loaders, phone)
        if person is None:
            return None
        kinds = _needs(info.selected_fields, agent.SECTION_NEEDS)
        for view in info.selected_fields:
            for customer in _plain_fields(view.selections, {"customer"}):
                kinds |= _needs([customer], CUSTOMER_NEEDS)
        [lists] = await facts.prefetch(loaders, [person], kinds) if kinds else [{}]
        return AgentView(person=person, prefetched=lists)
