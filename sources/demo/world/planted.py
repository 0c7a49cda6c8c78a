"""The planted cases: which people carry which deliberate mess, described from the served data.

Tests and demos find a case by its role (`world.planted`), never by a
hard-coded id, so the seed can change without breaking them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sources.demo.world.people import PLANTED_ROLES, Person

JsonRecord = dict[str, Any]


@dataclass(slots=True, frozen=True)
class PlantedCase:
    """One deliberate mess: its name, the CRM contact ids of the person, and what to look for."""

    case: str
    crm_ids: tuple[str, ...]
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class ServedRecords:
    """Everything the systems serve, as the planted-case description needs to read it."""

    contacts: list[JsonRecord]
    order_customers: list[JsonRecord]
    orders: list[JsonRecord]
    billing_accounts: list[JsonRecord]
    invoices: list[JsonRecord]
    tickets: list[JsonRecord]
    visits: list[JsonRecord]
    mentions: list[JsonRecord]


def describe_planted(people: list[Person], served: ServedRecords, today: date) -> list[PlantedCase]:
    """One PlantedCase per planted role, in the order of PLANTED_ROLES."""
    cases: list[PlantedCase] = []
    for person in people:
        if person.role is None or person.role == "guest":
            continue
        finder = _Finder(person, served)
        crm_ids = tuple(contact["id"] for contact in finder.contacts)
        cases.append(PlantedCase(person.role, crm_ids, _detail(person.role, finder, today)))
    return sorted(cases, key=lambda case: PLANTED_ROLES.index(case.case))


class _Finder:
    """The records of one person in every system, matched the way the truth says they match."""

    def __init__(self, person: Person, served: ServedRecords) -> None:
        email = person.email
        self.person = person
        self.contacts = [c for c in served.contacts if c["email"].lower() == email]
        self.customer = next(
            (c for c in served.order_customers if c["email"].lower() == email), None
        )
        self.orders = [o for o in served.orders if o["customer_email"].lower() == email]
        self.account = next(
            (a for a in served.billing_accounts if a["email"].lower() == email), None
        )
        self.invoices = [i for i in served.invoices if i["bill_to_email"].lower() == email]
        self.tickets = [t for t in served.tickets if t["requester_email"].lower() == email]
        self.visits = [v for v in served.visits if v["user_email"].lower() == email]
        handle = (person.twitter_handle or "").lower()
        self.mentions = [m for m in served.mentions if m["handle"].lower() == handle]


def _detail(role: str, found: _Finder, today: date) -> dict[str, Any]:
    person, contact = found.person, found.contacts[0]
    if role == "phone_formats":
        return {
            "crm_phone": contact["phone"],
            "orders_phone": found.customer["phone"] if found.customer else None,
            "formats": ["(555) 010-2345", "+1 555 010 2345", "555.010.2345"],
        }
    if role == "street_abbreviation":
        return {
            "crm_street": contact["street"],
            "orders_shipping_address": found.customer["shipping_address"]
            if found.customer
            else None,
        }
    if role == "email_case":
        return {
            "crm_email": contact["email"],
            "orders_email": found.customer["email"] if found.customer else None,
            "billing_email": found.account["email"] if found.account else None,
        }
    if role == "surname_typo":
        holder = found.account["holder"] if found.account else None
        return {
            "crm_last_name": person.last_name,
            "billing_holder": holder,
            "account_no": found.account["account_no"] if found.account else None,
        }
    if role == "crm_duplicate":
        return {
            "ids": [c["id"] for c in found.contacts],
            "last_names": [c["last_name"] for c in found.contacts],
            "emails": [c["email"] for c in found.contacts],
            "phones": [c["phone"] for c in found.contacts],
        }
    if role == "loses_money":
        kept = [o for o in found.orders if o["status"] not in ("cancelled", "returned")]
        return {
            "email": person.email,
            "orders": len(found.orders),
            "returned": sum(1 for o in found.orders if o["status"] == "returned"),
            "gross_margin_kept": round(sum(o["total"] - o["cost_of_goods"] for o in kept), 2),
            "discounts": round(sum(o["discount"] for o in found.orders), 2),
            "shipping_costs": round(sum(o["shipping_cost"] for o in found.orders), 2),
            "credit_notes": round(sum(i["amount"] for i in found.invoices if i["amount"] < 0), 2),
            "support_minutes": sum(t["handling_minutes"] for t in found.tickets),
        }
    if role == "abandoned_cart_today":
        visit = next(
            v
            for v in found.visits
            if v["started_at"].startswith(today.isoformat())
            and v["cart"]
            and v["cart"]["status"] == "abandoned"
        )
        return {
            "email": person.email,
            "session_id": visit["session_id"],
            "cart_id": visit["cart"]["cart_id"],
            "value": visit["cart"]["value"],
            "updated_at": visit["cart"]["updated_at"],
        }
    if role in ("negative_mention", "red_health"):
        mention = max(
            (m for m in found.mentions if m["sentiment_score"] <= -0.6),
            key=lambda m: m["posted_at"],
        )
        detail: dict[str, Any] = {
            "email": person.email,
            "handle": person.twitter_handle,
            "mention_id": mention["mention_id"],
        }
        if role == "red_health":
            ticket = next(
                t for t in found.tickets if t["priority"] == "urgent" and t["status"] == "open"
            )
            invoice = next(i for i in found.invoices if i["status"] == "overdue")
            detail |= {"ticket_id": ticket["ticket_id"], "invoice_no": invoice["invoice_no"]}
        return detail
    if role == "champion":
        return {
            "email": person.email,
            "orders": len(found.orders),
            "last_order_at": max(o["placed_at"] for o in found.orders),
            "monetary": round(
                sum(o["total"] for o in found.orders if o["status"] != "cancelled"), 2
            ),
        }
    return {"email": person.email}
