"""Billing's view: an account per order customer, an invoice per order, credit notes for returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import Any

from sources.demo.world.names import misspell
from sources.demo.world.people import Person
from sources.demo.world.purchases import Purchases
from sources.demo.world.timestamps import iso_date

JsonRecord = dict[str, Any]
TERMS_DAYS: dict[str, int] = {"due_on_receipt": 0, "net15": 15, "net30": 30, "net60": 60}


@dataclass(slots=True, frozen=True)
class Billing:
    accounts: list[JsonRecord]
    invoices: list[JsonRecord]


def billing_system(rng: Random, people: list[Person], purchases: Purchases, today: date) -> Billing:
    """Accounts `BA-7001`… (own numbering) and invoices `INV-YYYY-NNNNNN` numbered by issue date."""
    orders_by_customer: dict[str, list[JsonRecord]] = {}
    for order in purchases.orders:
        orders_by_customer.setdefault(order["customer_id"], []).append(order)
    billed = [person for person in people if person.index in purchases.customer_by_person]
    rng.shuffle(billed)
    accounts: list[JsonRecord] = []
    drafts: list[JsonRecord] = []
    for number, person in enumerate(billed):
        customer = purchases.customer_by_person[person.index]
        account = _account(rng, person, customer, f"BA-{7001 + number}")
        accounts.append(account)
        for order in orders_by_customer.get(customer["id"], []):
            drafts.extend(_invoices_for(rng, person, account, order, today))
    drafts.sort(key=lambda invoice: (invoice["issued_on"], invoice["account_no"], invoice["kind"]))
    for number, invoice in enumerate(drafts):
        invoice["invoice_no"] = f"INV-{invoice['issued_on'][:4]}-{number + 1:06d}"
    accounts.sort(key=lambda account: int(account["account_no"][3:]))
    return Billing(accounts=accounts, invoices=drafts)


def _account(rng: Random, person: Person, customer: JsonRecord, account_no: str) -> JsonRecord:
    surname = misspell(person.last_name) if person.role == "surname_typo" else person.last_name
    if person.role == "red_health":
        terms = "net30"
    else:
        terms = rng.choices(tuple(TERMS_DAYS), weights=(1, 2, 6, 1))[0]
    return {
        "account_no": account_no,
        "holder": f"{person.first_name} {surname}",
        "email": customer["email"],
        "billing_address": person.address.one_line(abbreviated=rng.random() < 0.5),
        "payment_terms": terms,
    }


def _invoices_for(
    rng: Random, person: Person, account: JsonRecord, order: JsonRecord, today: date
) -> list[JsonRecord]:
    if order["status"] == "cancelled":
        return []
    issued = date.fromisoformat(order["placed_at"][:10])
    due = issued + timedelta(days=TERMS_DAYS[account["payment_terms"]])
    amount = order["total"]
    if due >= today:
        status = "open" if rng.random() < 0.6 else "paid"
    elif person.role == "red_health" and (today - issued).days == 70:
        status = "overdue"
    else:
        draw = rng.random()
        status = "overdue" if draw < 0.03 else "void" if draw < 0.035 else "paid"
    invoice = _invoice(account, issued, due, amount, amount if status == "paid" else 0.0, status)
    if order["status"] != "returned":
        return [invoice]
    refunded_on = min(issued + timedelta(days=rng.randint(7, 14)), today - timedelta(days=1))
    credit = _invoice(account, refunded_on, refunded_on, -amount, -amount, "paid", "credit_note")
    return [invoice, credit]


def _invoice(
    account: JsonRecord,
    issued: date,
    due: date,
    amount: float,
    paid: float,
    status: str,
    kind: str = "invoice",
) -> JsonRecord:
    return {
        "invoice_no": "",
        "account_no": account["account_no"],
        "bill_to_email": account["email"],
        "issued_on": iso_date(issued),
        "due_on": iso_date(due),
        "amount": amount,
        "amount_paid": paid,
        "status": status,
        "currency": "USD",
        "kind": kind,
    }
