"""The foreign billing system: OAuth2 client credentials, repeated `account` parameters.

`POST /oauth/token` (HTTP Basic client id and secret, `grant_type=client_credentials`)
hands out bearer tokens; `GET /v2/invoices?account=BA-1&account=BA-2` answers
the invoices of exactly those accounts. Account ids are upper case and matched
exactly: `ba-1` is no account here.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

from aiohttp import web

from sources.demo.openapi import document, get_operation, list_of, money, obj, string
from sources.demo.params import MAX_BATCH, BadRequest
from sources.demo.service import DemoService, Knobs
from sources.foreign.openapi import titled
from sources.foreign.world import ForeignWorld

JsonRecord = dict[str, Any]
SYSTEM = "billing"
CLIENT_ID = "c360-foreign"
CLIENT_SECRET = "foreign-demo-secret"
TOKEN_LIFETIME_S = 3600


class ForeignBilling:
    """Invoices by account; every business request needs a token this system handed out."""

    def __init__(self, world: ForeignWorld, client_id: str, client_secret: str) -> None:
        self.by_account: dict[str, list[JsonRecord]] = {}
        for invoice in world.invoices:
            self.by_account.setdefault(invoice["account"], []).append(invoice)
        self._client = (client_id, client_secret)
        self.tokens: set[str] = set()

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        if _basic_credentials(request.headers.get("Authorization", "")) != self._client:
            return web.json_response({"error": "invalid_client"}, status=401)
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S}
        )

    async def invoices(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[len("Bearer ") :] not in self.tokens:
            return web.json_response(
                {"error": "a valid bearer token is required"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        accounts = list(dict.fromkeys(request.query.getall("account", [])))
        if not accounts:
            raise BadRequest("missing required query parameter 'account'")
        if len(accounts) > MAX_BATCH:
            raise BadRequest(f"too many accounts: {len(accounts)} > {MAX_BATCH}")
        if any("," in account for account in accounts):
            raise BadRequest("one account per 'account' parameter (repeat it), no commas")
        found = [invoice for account in accounts for invoice in self.by_account.get(account, [])]
        return web.json_response({"data": found})


def _basic_credentials(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[len("Basic ") :], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def create_service(
    world: ForeignWorld,
    *,
    knobs: Knobs | None = None,
    client_id: str = CLIENT_ID,
    client_secret: str = CLIENT_SECRET,
) -> DemoService:
    billing = ForeignBilling(world, client_id, client_secret)
    routes = [web.post("/oauth/token", billing.token), web.get("/v2/invoices", billing.invoices)]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


ACCOUNT_PARAMETER = {
    "name": "account",
    "in": "query",
    "required": True,
    "description": f"Billing accounts, upper case, one per parameter (at most {MAX_BATCH}).",
    "style": "form",
    "explode": True,
    "schema": {"type": "array", "items": {"type": "string"}},
    "example": ["BA-381204", "BA-502117"],
}

_DOCUMENT = document(
    SYSTEM,
    "Invoices by billing account, behind OAuth2 client credentials.",
    {
        "/v2/invoices": {
            "get": {
                **get_operation(
                    "getInvoicesByAccounts",
                    "Invoices of the given accounts",
                    [ACCOUNT_PARAMETER],
                    "InvoiceList",
                ),
                "security": [{"clientCredentials": []}],
            }
        }
    },
    {
        "Invoice": obj(
            {
                "invoice_number": string("Invoice number.", example="BA-381204/1"),
                "account": string("Billing account, upper case.", example="BA-381204"),
                "issue_date": string("Issue date.", fmt="date"),
                "due_date": string("Due date.", fmt="date"),
                "total": money("Invoiced amount"),
                "paid": money("Amount paid so far"),
                "status": string("Invoice status.", enum=("open", "overdue", "paid")),
                "currency": string("ISO currency code.", example="USD"),
            }
        ),
        "InvoiceList": list_of("Invoice"),
    },
)
OPENAPI = titled(
    {
        **_DOCUMENT,
        "components": {
            **_DOCUMENT["components"],
            "securitySchemes": {
                "clientCredentials": {
                    "type": "oauth2",
                    "flows": {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}},
                }
            },
        },
    },
    "Foreign Billing API",
)
