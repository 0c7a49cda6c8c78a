"""The demo CRM: contacts by id, phone (any format) or email, and the accounts they belong to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from sources.demo.data import DemoWorld
from sources.demo.openapi import (
    batch_parameter,
    document,
    get_operation,
    list_of,
    number,
    obj,
    string,
)
from sources.demo.params import exactly_one_batch, required_batch
from sources.demo.service import DemoService, Knobs
from sources.demo.world.phones import phone_lookup_key

JsonRecord = dict[str, Any]
SYSTEM = "crm"

SEARCHES = {
    "postal_codes": "postal_code",
    "last_names": "last_name",
    "first_names": "first_name",
    "birth_dates": "birth_date",
}
"""The contact search's parameters and the field each compares (exactly, ignoring case)."""


class Crm:
    """Indexes over the CRM records; lookups return matches in the order the keys were asked."""

    def __init__(self, world: DemoWorld) -> None:
        self.contacts_by_id: dict[str, list[JsonRecord]] = {}
        self.contacts_by_phone: dict[str, list[JsonRecord]] = {}
        self.contacts_by_email: dict[str, list[JsonRecord]] = {}
        for contact in world.contacts:
            self.contacts_by_id.setdefault(contact["id"], []).append(contact)
            self.contacts_by_phone.setdefault(phone_lookup_key(contact["phone"]), []).append(
                contact
            )
            self.contacts_by_email.setdefault(contact["email"].lower(), []).append(contact)
        self.accounts_by_id = {account["id"]: account for account in world.accounts}
        self.contacts_by_search: dict[str, dict[str, list[JsonRecord]]] = {
            parameter: {} for parameter in SEARCHES
        }
        for contact in world.contacts:
            for parameter, field in SEARCHES.items():
                value = contact.get(field)
                if value:
                    index = self.contacts_by_search[parameter]
                    index.setdefault(value.casefold(), []).append(contact)

    async def contacts(self, request: web.Request) -> web.Response:
        name, keys = exactly_one_batch(request, ("ids", "phones", "emails"))
        normalise: Callable[[str], str]
        if name == "ids":
            index, normalise = self.contacts_by_id, str.strip
        elif name == "phones":
            index, normalise = self.contacts_by_phone, phone_lookup_key
        else:
            index, normalise = self.contacts_by_email, str.lower
        found: dict[str, JsonRecord] = {}
        for key in keys:
            for contact in index.get(normalise(key), []):
                found.setdefault(contact["id"], contact)
        return web.json_response({"data": list(found.values())})

    async def search(self, request: web.Request) -> web.Response:
        """Contacts whose field equals any value asked, case-insensitively, each contact once."""
        parameter, values = exactly_one_batch(request, tuple(SEARCHES))
        index = self.contacts_by_search[parameter]
        found: dict[str, JsonRecord] = {}
        for value in values:
            for contact in index.get(value.casefold(), []):
                found.setdefault(contact["id"], contact)
        return web.json_response({"data": list(found.values())})

    async def accounts(self, request: web.Request) -> web.Response:
        ids = dict.fromkeys(required_batch(request, "ids"))
        matches = [self.accounts_by_id[key] for key in ids if key in self.accounts_by_id]
        return web.json_response({"data": matches})


def create_service(world: DemoWorld, *, knobs: Knobs | None = None) -> DemoService:
    crm = Crm(world)
    routes = [
        web.get("/contacts", crm.contacts),
        web.get("/contacts/search", crm.search),
        web.get("/accounts", crm.accounts),
    ]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


CONTACT = obj(
    {
        "id": string("CRM contact id.", example="C-10001"),
        "first_name": string("Given name."),
        "last_name": string("Family name."),
        "birth_date": string("Date of birth, YYYY-MM-DD.", fmt="date", nullable=True),
        "national_id": string(
            "National id (US Social Security number), NNN-NN-NNNN.",
            nullable=True,
            example="123-45-6789",
        ),
        "email": string("Email as entered in the CRM (case varies).", fmt="email"),
        "phone": string("Phone as entered in the CRM (format varies).", example="(212) 555-0143"),
        "street": string("Street line, e.g. '123 Main St'."),
        "city": string("City."),
        "state": string("US state code."),
        "postal_code": string("ZIP code."),
        "country": string("ISO country code.", example="US"),
        "latitude": number("Latitude of the city, degrees."),
        "longitude": number("Longitude of the city, degrees."),
        "account_id": string("The account (company) this contact belongs to.", example="A-501"),
        "twitter_handle": string("Social handle with '@', if known.", nullable=True),
        "marketing_consent": {"type": "boolean", "description": "Agreed to marketing offers."},
        "created_at": string("Creation time, ISO 8601 UTC.", fmt="date-time"),
        "updated_at": string("Last update, ISO 8601 UTC.", fmt="date-time"),
    }
)
ACCOUNT = obj(
    {
        "id": string("CRM account id.", example="A-501"),
        "name": string("Company name."),
        "industry": string("Industry."),
        "tier": string("Service tier.", enum=("gold", "silver", "bronze")),
    }
)

OPENAPI = document(
    SYSTEM,
    "Contacts and accounts. Every person has a contact; one person has two.",
    {
        "/contacts": {
            "get": get_operation(
                "getContacts",
                "Contacts by ids, phones or emails (exactly one of them)",
                [
                    batch_parameter("ids", "Contact ids.", "C-10001,C-10002", required=False),
                    batch_parameter(
                        "phones",
                        "Phones in any format, matched on their last 10 digits.",
                        "(212) 555-0143,+12125550143",
                        required=False,
                    ),
                    batch_parameter(
                        "emails",
                        "Emails, matched case-insensitively.",
                        "maria.lopez@example.com",
                        required=False,
                    ),
                ],
                "ContactList",
                description="Exactly one of ids, phones, emails; unknown keys match nothing.",
            )
        },
        "/contacts/search": {
            "get": get_operation(
                "searchContacts",
                "Contacts by postal codes, last names, first names or birth dates (one of them)",
                [
                    batch_parameter("postal_codes", "ZIP codes.", "62701", required=False),
                    batch_parameter(
                        "last_names", "Family names, any case.", "lopez", required=False
                    ),
                    batch_parameter(
                        "first_names", "Given names, any case.", "maria", required=False
                    ),
                    batch_parameter(
                        "birth_dates", "Dates of birth, YYYY-MM-DD.", "1985-03-14", required=False
                    ),
                ],
                "ContactList",
                description="Every contact whose field equals one of the values, each once.",
            )
        },
        "/accounts": {
            "get": get_operation(
                "getAccounts",
                "Accounts by ids",
                [batch_parameter("ids", "Account ids.", "A-501,A-502", required=True)],
                "AccountList",
            )
        },
    },
    {
        "Contact": CONTACT,
        "ContactList": list_of("Contact"),
        "Account": ACCOUNT,
        "AccountList": list_of("Account"),
    },
)
