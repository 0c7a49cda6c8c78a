"""The CRM's sales pipeline: opportunities with stages, amounts, close dates and owners.

An opportunity belongs to a person (by email, as the sales team typed it) and
names the campaign that sourced it when the person came in as a converted lead.
Stages are spelled as each rep's tool wrote them (`Closed Won`, `closed_won`,
`CLOSED-WON`), amounts are sometimes text, and a few big deals sit in the
pipeline for the CEO's list.
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random
from typing import Any

from sources.demo.world.names import title_case_email
from sources.demo.world.people import Person
from sources.demo.world.timestamps import iso_date, iso_timestamp, moment, parse_timestamp

JsonRecord = dict[str, Any]

OPEN_STAGES: tuple[str, ...] = ("prospecting", "qualification", "proposal", "negotiation")
CLOSED_STAGES: tuple[str, ...] = ("closed_won", "closed_lost")
STAGES: tuple[str, ...] = OPEN_STAGES + CLOSED_STAGES
OWNERS: tuple[str, ...] = (
    "Dana Whitfield", "Marcus Bell", "Priya Raman", "Tom Okafor", "Elena Petrova", "Sam Ortiz",
)  # fmt: skip
PRODUCT_LINES: tuple[str, ...] = (
    "Team outfitting", "Annual supply", "Corporate gifts", "Store fit-out", "Event kit",
)  # fmt: skip
HISTORY_DAYS = 540


def sales_pipeline(
    rng: Random, people: list[Person], leads: list[JsonRecord], today: date
) -> list[JsonRecord]:
    """Opportunities `OPP-…` numbered by creation, for about a third of the CRM's people."""
    sourced_by = {
        lead["email"].lower(): lead["campaign_id"]
        for lead in leads
        if lead["status"] == "converted"
    }
    drafts: list[JsonRecord] = []
    for person in people:
        if person.crm_id is None:
            continue
        campaign = sourced_by.get(person.email)
        if campaign is None and rng.random() > 0.3:
            continue
        for _ in range(rng.choices((1, 2), weights=(4, 1))[0]):
            drafts.append(_opportunity(rng, person, campaign, today))
    drafts.sort(key=lambda opportunity: (opportunity["created_at"], opportunity["contact_email"]))
    for number, opportunity in enumerate(drafts):
        opportunity["opportunity_id"] = f"OPP-{number + 1:05d}"
    return drafts


def _opportunity(rng: Random, person: Person, campaign: str | None, today: date) -> JsonRecord:
    days_ago = rng.randint(1, HISTORY_DAYS)
    created = moment(today, days_ago, rng.randrange(86400))
    if days_ago > 120:
        stage = rng.choices(STAGES, weights=(1, 1, 1, 1, 8, 6))[0]
    else:
        stage = rng.choices(STAGES, weights=(5, 4, 3, 2, 2, 1))[0]
    in_stage_days = rng.randint(0, days_ago)
    stage_changed = moment(today, in_stage_days, rng.randrange(86400))
    if stage in CLOSED_STAGES:
        close_date = stage_changed.date()
    else:
        close_date = today + timedelta(days=rng.randint(7, 120))
    amount = round(min(250_000.0, rng.lognormvariate(8.6, 1.1)), 2)
    return {
        "opportunity_id": "",
        "name": f"{person.last_name} – {rng.choice(PRODUCT_LINES)}",
        "contact_email": title_case_email(person.email) if rng.random() < 0.1 else person.email,
        "account_id": person.account_id,
        "stage": _spelled(rng, stage),
        "amount": f"{amount:.2f}" if rng.random() < 0.1 else amount,
        "currency": "USD",
        "close_date": iso_date(close_date),
        "owner": rng.choice(OWNERS),
        "campaign_id": campaign,
        "created_at": iso_timestamp(created),
        "stage_changed_at": iso_timestamp(max(stage_changed, created)),
    }


def _spelled(rng: Random, stage: str) -> str:
    """The stage as one of the reps' tools writes it."""
    draw = rng.random()
    if draw < 0.6:
        return stage
    if draw < 0.85:
        return stage.replace("_", " ").title()
    return stage.replace("_", "-").upper()


def stage_age_days(opportunity: JsonRecord, today: date) -> int:
    """Whole days the opportunity has sat in its current stage, as of `today`."""
    return max(0, (today - parse_timestamp(opportunity["stage_changed_at"]).date()).days)
