"""The previous billing system: invoices issued before the cut-over, kept in a legacy database.

Billing moved to the current REST system about two years before ``today``; the
older invoices never migrated. They live in the SQL "ledger" with its own
column names, so a Customer 360 must read both systems to show all invoices.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

JsonRecord = dict[str, Any]

CUTOVER_DAYS = 730
"""Invoices issued more than this many days before ``today`` stayed in the legacy ledger."""


def cutover_day(today: date) -> date:
    """The first day the current billing system issued invoices."""
    return today - timedelta(days=CUTOVER_DAYS)


def split_at_cutover(
    invoices: list[JsonRecord], today: date
) -> tuple[list[JsonRecord], list[JsonRecord]]:
    """(current billing's invoices, the legacy ones), each in the given order."""
    first_day = cutover_day(today).isoformat()
    current = [invoice for invoice in invoices if invoice["issued_on"] >= first_day]
    legacy = [invoice for invoice in invoices if invoice["issued_on"] < first_day]
    return current, legacy


def ledger_row(invoice: JsonRecord) -> JsonRecord:
    """A billing-shaped invoice as the legacy ledger stores it (its own column names)."""
    return {
        "doc_no": invoice["invoice_no"],
        "account_ref": invoice["account_no"],
        "customer_email": invoice["bill_to_email"],
        "doc_date": invoice["issued_on"],
        "due_date": invoice["due_on"],
        "gross_amount": invoice["amount"],
        "paid_amount": invoice["amount_paid"],
        "doc_status": invoice["status"],
        "currency_code": invoice["currency"],
        "doc_type": invoice["kind"],
    }
