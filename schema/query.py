"""The root ``Query``: find a customer by any identifier, or open a role's view."""

from __future__ import annotations

from collections.abc import Collection

import strawberry
from strawberry.types.nodes import SelectedField

from resolvers.experience import agent
from resolvers.process import facts
from resolvers.process.errors import InvalidLookup
from resolvers.process.identity import find_people, find_person
from schema.agent import AgentView
from schema.context import Info
from schema.customer import LIST_FIELDS, Customer

MAX_IDS = 1000


def _plainly_selected(info: Info, names: Collection[str]) -> set[str]:
    """Which of ``names`` this field selects plainly (no directive, not in a fragment).

    Those are safe to fetch ahead: a field under @skip or @include may not be
    wanted, and asking a source for what nobody reads is not allowed.
    """
    return {
        selection.name
        for selected in info.selected_fields
        for selection in selected.selections
        if isinstance(selection, SelectedField)
        and selection.name in names
        and not selection.directives
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
        kinds = {LIST_FIELDS[name] for name in _plainly_selected(info, LIST_FIELDS)}
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
        kinds = {
            kind
            for name in _plainly_selected(info, agent.SECTION_NEEDS)
            for kind in agent.SECTION_NEEDS[name]
        }
        [lists] = await facts.prefetch(loaders, [person], kinds) if kinds else [{}]
        return AgentView(person=person, prefetched=lists)
