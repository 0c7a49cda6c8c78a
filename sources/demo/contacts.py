"""The demo contact book: a second customer system, by key, phone or email, and a people search.

Its search answers one group per value asked (``{"asked": "62701", "people": [...]}``),
case-insensitively; ``surname_sounds`` takes American Soundex codes (``L120``), as
CRM search APIs that offer "sounds like" do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jellyfish
from aiohttp import web

from sources.demo.data import DemoWorld
from sources.demo.openapi import (
    array,
    batch_parameter,
    document,
    get_operation,
    list_of,
    obj,
    ref,
    string,
)
from sources.demo.params import exactly_one_batch
from sources.demo.service import DemoService, Knobs
from sources.demo.world.phones import phone_lookup_key

JsonRecord = dict[str, Any]
SYSTEM = "contacts"

SEARCHES: dict[str, Callable[[JsonRecord], list[str]]] = {
    "postcodes": lambda r: [r["address"]["postcode"]],
    "surnames": lambda r: [r["name"]["family"].casefold()],
    "given_names": lambda r: [r["name"]["given"].casefold()],
    "surname_sounds": lambda r: [jellyfish.soundex(r["name"]["family"])],
}
"""What each search parameter compares, per record (values asked are compared the same way)."""


def _asked(parameter: str, value: str) -> str:
    return value.upper() if parameter == "surname_sounds" else value.strip().casefold()


class ContactBook:
    """Indexes over the contact book; lookups answer in the order the keys were asked."""

    def __init__(self, world: DemoWorld) -> None:
        self.by_key: dict[str, list[JsonRecord]] = {}
        self.by_phone: dict[str, list[JsonRecord]] = {}
        self.by_email: dict[str, list[JsonRecord]] = {}
        self.by_crm_ref: dict[str, list[JsonRecord]] = {}
        self.by_search: dict[str, dict[str, list[JsonRecord]]] = {name: {} for name in SEARCHES}
        for person in world.contact_book:
            self.by_key.setdefault(person["key"], []).append(person)
            contact = person["contact"]
            if contact["phone"]:
                self.by_phone.setdefault(phone_lookup_key(contact["phone"]), []).append(person)
            if contact["email"]:
                self.by_email.setdefault(contact["email"].casefold(), []).append(person)
            if person["refs"].get("crm"):
                self.by_crm_ref.setdefault(person["refs"]["crm"], []).append(person)
            for name, values_of in SEARCHES.items():
                for value in values_of(person):
                    self.by_search[name].setdefault(_asked(name, value), []).append(person)

    async def people(self, request: web.Request) -> web.Response:
        name, keys = exactly_one_batch(request, ("keys", "phones", "emails", "crm_refs"))
        normalise: Callable[[str], str]
        if name == "keys":
            index, normalise = self.by_key, str.strip
        elif name == "crm_refs":
            index, normalise = self.by_crm_ref, str.strip
        elif name == "phones":
            index, normalise = self.by_phone, phone_lookup_key
        else:
            index, normalise = self.by_email, str.casefold
        found: dict[str, JsonRecord] = {}
        for key in keys:
            for person in index.get(normalise(key), []):
                found.setdefault(person["key"], person)
        return web.json_response({"data": list(found.values())})

    async def search(self, request: web.Request) -> web.Response:
        name, values = exactly_one_batch(request, tuple(SEARCHES))
        index = self.by_search[name]
        groups = [
            {"asked": value, "people": index.get(_asked(name, value), [])}
            for value in dict.fromkeys(values)
        ]
        return web.json_response({"results": groups})


def create_service(world: DemoWorld, *, knobs: Knobs | None = None) -> DemoService:
    book = ContactBook(world)
    routes = [web.get("/people", book.people), web.get("/people/search", book.search)]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


PERSON = obj(
    {
        "key": string("Contact-book key.", example="K-17"),
        "name": obj(
            {
                "given": string("Given name, in capitals.", example="MARIA"),
                "family": string("Family name, in capitals.", example="LOPEZ"),
            }
        ),
        "born": string("Date of birth, DD/MM/YYYY.", nullable=True, example="14/03/1985"),
        "ids": obj(
            {
                "ssn": string(
                    "National id (US Social Security number), nine digits; null when not noted.",
                    nullable=True,
                    example="123456789",
                )
            },
            description="Ids the sales team noted.",
        ),
        "contact": obj(
            {
                "email": string("Email.", fmt="email", nullable=True),
                "phone": string("Phone, national format.", nullable=True, example="(212) 555-0143"),
            }
        ),
        "address": obj(
            {
                "line1": string("Street line, in capitals.", example="123 MAIN STREET"),
                "locality": string("City, lower case."),
                "region": string("State code, lower case."),
                "postcode": string("ZIP code."),
            }
        ),
        "refs": obj(
            {"crm": string("The person's CRM contact id, when the sales team noted it.")},
            description="Ids of this person in other systems, where known.",
        ),
    }
)
SEARCH_GROUP = obj(
    {
        "asked": string("The value asked, as it was sent."),
        "people": array(ref("Person")),
    }
)

OPENAPI = document(
    SYSTEM,
    "The sales team's contact book: the CRM's people again, written its own way.",
    {
        "/people": {
            "get": get_operation(
                "getPeople",
                "People by keys, phones, emails or the CRM ids they note (exactly one of them)",
                [
                    batch_parameter("keys", "Contact-book keys.", "K-1,K-2", required=False),
                    batch_parameter(
                        "phones", "Phones in any format.", "(212) 555-0143", required=False
                    ),
                    batch_parameter(
                        "emails", "Emails, case-insensitive.", "a@example.com", required=False
                    ),
                    batch_parameter(
                        "crm_refs", "CRM contact ids (refs.crm).", "C-10001", required=False
                    ),
                ],
                "PersonList",
            )
        },
        "/people/search": {
            "get": get_operation(
                "searchPeople",
                "People by postcodes, surnames, given names or surname Soundex codes (one of them)",
                [
                    batch_parameter("postcodes", "ZIP codes.", "62701", required=False),
                    batch_parameter("surnames", "Family names, any case.", "lopez", required=False),
                    batch_parameter(
                        "given_names", "Given names, any case.", "maria", required=False
                    ),
                    batch_parameter(
                        "surname_sounds", "American Soundex codes.", "L120", required=False
                    ),
                ],
                "SearchResults",
                description="One group per value asked, in the order asked.",
            )
        },
    },
    {
        "Person": PERSON,
        "PersonList": list_of("Person"),
        "SearchGroup": SEARCH_GROUP,
        "SearchResults": obj({"results": array(ref("SearchGroup"))}),
    },
)
