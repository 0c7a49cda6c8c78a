"""The demo billing system: accounts by email and their invoices and credit notes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sources.demo.data import DemoWorld
from sources.demo.openapi import (
    batch_parameter,
    document,
    get_operation,
    list_of,
    money,
    obj,
    path_parameter,
    string,
)
from sources.demo.params import required_batch
from sources.demo.service import DemoService, Knobs

JsonRecord = dict[str, Any]
SYSTEM = "billing"


def _newest_first(invoice: JsonRecord) -> tuple[str, str]:
    return invoice["issued_on"], invoice["invoice_no"]


class Billing:
    """Indexes over billing records; invoice lists are newest first."""

    def __init__(self, world: DemoWorld) -> None:
        self.accounts_by_email: dict[str, list[JsonRecord]] = {}
        for account in world.billing_accounts:
            self.accounts_by_email.setdefault(account["email"].lower(), []).append(account)
        self.invoices_by_email: dict[str, list[JsonRecord]] = {}
        self.invoices_by_account: dict[str, list[JsonRecord]] = {}
        for invoice in sorted(world.invoices, key=_newest_first, reverse=True):
            self.invoices_by_email.setdefault(invoice["bill_to_email"].lower(), []).append(invoice)
            self.invoices_by_account.setdefault(invoice["account_no"], []).append(invoice)

    async def accounts(self, request: web.Request) -> web.Response:
        emails = dict.fromkeys(email.lower() for email in required_batch(request, "emails"))
        found = [a for email in emails for a in self.accounts_by_email.get(email, [])]
        return web.json_response({"data": found})

    async def invoices(self, request: web.Request) -> web.Response:
        emails = dict.fromkeys(e.lower() for e in required_batch(request, "bill_to_emails"))
        found = [i for email in emails for i in self.invoices_by_email.get(email, [])]
        found.sort(key=_newest_first, reverse=True)
        return web.json_response({"data": found})

    async def account_invoices(self, request: web.Request) -> web.Response:
        account_no = request.match_info["account_no"]
        return web.json_response({"data": self.invoices_by_account.get(account_no, [])})


def create_service(world: DemoWorld, *, knobs: Knobs | None = None) -> DemoService:
    billing = Billing(world)
    routes = [
        web.get("/accounts", billing.accounts),
        web.get("/invoices", billing.invoices),
        web.get("/accounts/{account_no}/invoices", billing.account_invoices),
    ]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


SCHEMAS = {
    "BillingAccount": obj(
        {
            "account_no": string("Billing account number (own numbering).", example="BA-7001"),
            "holder": string("Account holder's name as billing has it."),
            "email": string("Billing email (case varies).", fmt="email"),
            "billing_address": string("One line, e.g. '123 Main St, Springfield, IL 62701'."),
            "payment_terms": string(
                "Payment terms.", enum=("due_on_receipt", "net15", "net30", "net60")
            ),
        }
    ),
    "Invoice": obj(
        {
            "invoice_no": string("Invoice number.", example="INV-2026-000123"),
            "account_no": string("Billing account number.", example="BA-7001"),
            "bill_to_email": string("Email the invoice was sent to.", fmt="email"),
            "issued_on": string("Issue date.", fmt="date"),
            "due_on": string("Due date.", fmt="date"),
            "amount": money("Amount; negative for credit notes"),
            "amount_paid": money("Amount paid so far"),
            "status": string(
                "overdue = open and past due_on.", enum=("paid", "open", "overdue", "void")
            ),
            "currency": string("ISO currency code.", example="USD"),
            "kind": string(
                "Invoice or credit note (refund of a return).", enum=("invoice", "credit_note")
            ),
        }
    ),
    "BillingAccountList": list_of("BillingAccount"),
    "InvoiceList": list_of("Invoice"),
}

OPENAPI = document(
    SYSTEM,
    "Billing accounts (own numbering), invoices per order and credit notes for returns.",
    {
        "/accounts": {
            "get": get_operation(
                "getBillingAccountsByEmails",
                "Billing accounts by email (case-insensitive)",
                [batch_parameter("emails", "Emails.", "maria.lopez@example.com", required=True)],
                "BillingAccountList",
            )
        },
        "/invoices": {
            "get": get_operation(
                "getInvoicesByEmails",
                "Invoices and credit notes by bill-to email, newest first",
                [
                    batch_parameter(
                        "bill_to_emails",
                        "Bill-to emails, case-insensitive.",
                        "maria.lopez@example.com",
                        required=True,
                    )
                ],
                "InvoiceList",
            )
        },
        "/accounts/{account_no}/invoices": {
            "get": get_operation(
                "getAccountInvoices",
                "Invoices of one billing account, newest first",
                [path_parameter("account_no", "Billing account number.", "BA-7001")],
                "InvoiceList",
            )
        },
    },
    SCHEMAS,
)
