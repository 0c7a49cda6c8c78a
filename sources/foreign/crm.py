"""The foreign CRM: contacts holding every other system's id for the person (the crosswalk).

Searchable by its own id, by mobile (national digits only, as stored), by
email and by each cross-reference; exactly one of them per request.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sources.demo.openapi import batch_parameter, document, get_operation, obj, string
from sources.demo.params import exactly_one_batch
from sources.demo.service import DemoService, Knobs
from sources.foreign.openapi import titled
from sources.foreign.world import ForeignWorld

JsonRecord = dict[str, Any]
SYSTEM = "crm"
# query parameter -> contact field; the case-insensitive ones fold both sides.
SEARCHES: dict[str, str] = {
    "contact_id": "contact_id",
    "mobile": "mobile",
    "email": "email_address",
    "order_customer_id": "order_customer_id",
    "billing_account": "billing_account",
    "support_user_id": "support_user_id",
}
FOLDED = frozenset({"email", "billing_account"})


class ForeignCrm:
    """One index per searchable field; matches come back in the order the keys were asked."""

    def __init__(self, world: ForeignWorld) -> None:
        self.indexes: dict[str, dict[str, list[JsonRecord]]] = {name: {} for name in SEARCHES}
        for contact in world.contacts:
            for name, field in SEARCHES.items():
                value = contact[field]
                if value is not None:
                    key = value.lower() if name in FOLDED else value
                    self.indexes[name].setdefault(key, []).append(contact)

    async def contacts(self, request: web.Request) -> web.Response:
        name, keys = exactly_one_batch(request, tuple(SEARCHES))
        index = self.indexes[name]
        found: dict[str, JsonRecord] = {}
        for key in keys:
            for contact in index.get(key.lower() if name in FOLDED else key, []):
                found.setdefault(contact["contact_id"], contact)
        return web.json_response({"contacts": list(found.values()), "count": len(found)})


def create_service(world: ForeignWorld, *, knobs: Knobs | None = None) -> DemoService:
    crm = ForeignCrm(world)
    routes = [web.get("/api/v3/contacts", crm.contacts)]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


CONTACT = obj(
    {
        "contact_id": string("CRM contact id.", example="cx-00017"),
        "given_name": string("Given name."),
        "family_name": string("Family name."),
        "email_address": string("Email, lower case.", fmt="email"),
        "mobile": string("Mobile phone, national digits only.", example="5035550143"),
        "city": string("City."),
        "region": string("US state code."),
        "country_code": string("ISO country code.", example="US"),
        "order_customer_id": string(
            "This person's customer id in the order system.", nullable=True, example="oc-48213"
        ),
        "billing_account": string(
            "This person's billing account (as typed by the clerk).",
            nullable=True,
            example="BA-381204",
        ),
        "support_user_id": string(
            "This person's user id on the support desk.", nullable=True, example="u4711"
        ),
        "created": string("Creation time, ISO 8601 UTC.", fmt="date-time"),
    }
)

OPENAPI = titled(
    document(
        SYSTEM,
        "Contacts, with each other system's id for the person.",
        {
            "/api/v3/contacts": {
                "get": get_operation(
                    "searchContacts",
                    "Contacts by exactly one of: ids, mobiles, emails or another system's ids",
                    [
                        batch_parameter("contact_id", "Contact ids.", "cx-00017", required=False),
                        batch_parameter(
                            "mobile",
                            "Mobiles, national digits only.",
                            "5035550143",
                            required=False,
                        ),
                        batch_parameter(
                            "email", "Emails, case-insensitive.", "a@b.example", required=False
                        ),
                        batch_parameter(
                            "order_customer_id",
                            "Order-system customer ids.",
                            "oc-48213",
                            required=False,
                        ),
                        batch_parameter(
                            "billing_account",
                            "Billing accounts, case-insensitive.",
                            "BA-381204",
                            required=False,
                        ),
                        batch_parameter(
                            "support_user_id", "Support-desk user ids.", "u4711", required=False
                        ),
                    ],
                    "ContactPage",
                    description="Exactly one search parameter; unknown keys match nothing.",
                )
            }
        },
        {
            "Contact": CONTACT,
            "ContactPage": obj(
                {
                    "contacts": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Contact"},
                    },
                    "count": {"type": "integer", "description": "Contacts in this answer."},
                }
            ),
        },
    ),
    "Foreign CRM API",
)
