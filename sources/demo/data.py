"""The demo world: every system's records, generated together from one seed and one day.

`generate()` is pure: the same (seed, customers, today) always gives
byte-identical records, whatever the wall clock says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from random import Random
from typing import Any

from sources.demo.world.contact_book import (
    ContactBookTruth,
    birth_dates,
    contact_book,
    national_ids,
)
from sources.demo.world.contacts import crm_accounts, crm_contacts
from sources.demo.world.invoices import billing_system
from sources.demo.world.ledger import ledger_row, split_at_cutover
from sources.demo.world.marketing import marketing_automation
from sources.demo.world.mentions import social_listening
from sources.demo.world.people import PLANTED_ROLES, generate_people
from sources.demo.world.pipeline import sales_pipeline
from sources.demo.world.planted import PlantedCase, ServedRecords, describe_planted
from sources.demo.world.purchases import order_system
from sources.demo.world.surveys import survey_responses
from sources.demo.world.tickets import support_desk
from sources.demo.world.visits import web_analytics

__all__ = ["PLANTED_ROLES", "DemoWorld", "PlantedCase", "generate"]

JsonRecord = dict[str, Any]


@dataclass(slots=True, frozen=True)
class DemoWorld:
    """Each system's records exactly as its service serves them (plain JSON-able dicts)."""

    seed: int
    today: date
    contacts: list[JsonRecord]
    accounts: list[JsonRecord]
    order_customers: list[JsonRecord]
    orders: list[JsonRecord]
    billing_accounts: list[JsonRecord]
    invoices: list[JsonRecord]
    tickets: list[JsonRecord]
    visits: list[JsonRecord]
    mentions: list[JsonRecord]
    planted: list[PlantedCase]
    ledger_invoices: list[JsonRecord]
    """Invoices from before billing's cut-over, as rows of the legacy SQL ledger."""
    campaigns: list[JsonRecord]
    campaign_costs: list[JsonRecord]
    leads: list[JsonRecord]
    touches: list[JsonRecord]
    """Marketing automation: campaigns, their monthly costs, leads and the touches on them."""
    opportunities: list[JsonRecord]
    """The CRM's sales pipeline (served by its own opportunities service)."""
    survey_responses: list[JsonRecord]

    contact_book: list[JsonRecord] = field(default_factory=list)
    """The second customer system's records (nested, upper-cased, DD/MM/YYYY; see contact_book)."""
    contact_truth: ContactBookTruth = field(default_factory=ContactBookTruth)
    """Who each contact-book record really is, and the planted identity cases."""

    def planted_case(self, case: str) -> PlantedCase:
        """The first planted case of that name; KeyError if the name is unknown."""
        for planted in self.planted:
            if planted.case == case:
                return planted
        raise KeyError(case)


def generate(seed: int = 360, customers: int = 1000, today: date | None = None) -> DemoWorld:
    """Generate `customers` CRM people (plus a duplicate and a few guests) and their records.

    Each system draws from its own seeded stream, so changing how one system is
    generated does not reshuffle the others.
    """
    today = today or datetime.now(UTC).date()

    def stream(system: str) -> Random:
        return Random(f"{seed}:{system}")

    people = generate_people(stream("people"), customers, today)
    born = birth_dates(stream("births"), people, today)
    ids = national_ids(stream("national-ids"), people)
    book, truth = contact_book(stream("contact-book"), people, born, ids=ids)
    purchases = order_system(stream("orders"), people, today)
    billing = billing_system(stream("billing"), people, purchases, today)
    current_invoices, legacy_invoices = split_at_cutover(billing.invoices, today)
    marketing = marketing_automation(stream("marketing"), people, today)
    # Planted cases are described from every invoice, whichever system now holds it.
    served = ServedRecords(
        contacts=crm_contacts(stream("crm"), people, customers, born, ids),
        order_customers=purchases.customers,
        orders=purchases.orders,
        billing_accounts=billing.accounts,
        invoices=billing.invoices,
        tickets=support_desk(stream("support"), people, today),
        visits=web_analytics(stream("web"), people, today),
        mentions=social_listening(stream("social"), people, today),
    )
    return DemoWorld(
        seed=seed,
        today=today,
        contacts=served.contacts,
        accounts=crm_accounts(stream("crm-accounts"), customers),
        order_customers=served.order_customers,
        orders=served.orders,
        billing_accounts=served.billing_accounts,
        invoices=current_invoices,
        tickets=served.tickets,
        visits=served.visits,
        mentions=served.mentions,
        planted=describe_planted(people, served, today),
        ledger_invoices=[ledger_row(invoice) for invoice in legacy_invoices],
        contact_book=book,
        contact_truth=truth,
        campaigns=marketing.campaigns,
        campaign_costs=marketing.costs,
        leads=marketing.leads,
        touches=marketing.touches,
        opportunities=sales_pipeline(stream("opportunities"), people, marketing.leads, today),
        survey_responses=survey_responses(stream("surveys"), people, today),
    )
