"""Marketing automation's view: campaigns, what they cost each month, the leads they brought.

Leads are keyed by email (case varies), their channel is typed by hand on import
(`Paid Search`, `ppc`, `paid_search` are one channel), a few cost lines name
their campaign in lower case, and some leads are strangers who never became
customers. Shoppers' leads convert; the rest are worked, nurtured or dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import Any

from sources.demo.world.names import title_case_email
from sources.demo.world.people import Person
from sources.demo.world.timestamps import iso_date, iso_timestamp, moment, parse_timestamp

JsonRecord = dict[str, Any]

CHANNELS: tuple[str, ...] = ("email", "paid_search", "social", "display", "events", "referral")
CHANNEL_SPELLINGS: dict[str, tuple[str, ...]] = {
    "email": ("email", "Email", "e-mail"),
    "paid_search": ("paid_search", "Paid Search", "ppc"),
    "social": ("social", "Social", "paid social"),
    "display": ("display", "Display", "banner"),
    "events": ("events", "Events", "webinar"),
    "referral": ("referral", "Referral", "partner"),
}
"""How the channel of a lead is written, first the system's own spelling."""
MONTHLY_SPEND: dict[str, tuple[int, int]] = {
    "email": (400, 1_500), "paid_search": (3_000, 9_000), "social": (1_500, 5_000),
    "display": (1_000, 4_000), "events": (4_000, 12_000), "referral": (300, 1_200),
}  # fmt: skip
HISTORY_MONTHS = 18
STRANGER_SHARE = 0.25
TOUCH_KINDS: tuple[str, ...] = ("email_open", "click", "form_fill", "webinar", "call")


@dataclass(slots=True, frozen=True)
class Marketing:
    campaigns: list[JsonRecord]
    costs: list[JsonRecord]
    leads: list[JsonRecord]
    touches: list[JsonRecord]


def marketing_automation(rng: Random, people: list[Person], today: date) -> Marketing:
    """Campaigns `CMP-0001`… over the last 18 months, monthly costs, leads `LD-…` and touches."""
    campaigns = _campaigns(rng, today)
    costs = _costs(rng, campaigns, today)
    drafts: list[JsonRecord] = []
    for person in people:
        if person.role == "guest" or rng.random() > 0.55:
            continue
        drafts.append(_lead(rng, campaigns, person.email, person.shops, today))
        if rng.random() < 0.08:  # the same person filled in a second form
            drafts.append(_lead(rng, campaigns, person.email, False, today))
    for number in range(int(len(drafts) * STRANGER_SHARE)):
        drafts.append(_lead(rng, campaigns, f"prospect{number + 1}@example.org", False, today))
    drafts.sort(key=lambda lead: (lead["created_at"], lead["email"]))
    for number, lead in enumerate(drafts):
        lead["lead_id"] = f"LD-{number + 1:06d}"
    return Marketing(campaigns, costs, drafts, _touches(rng, drafts, today))


def _campaigns(rng: Random, today: date) -> list[JsonRecord]:
    campaigns: list[JsonRecord] = []
    start = _month_start(today) - timedelta(days=HISTORY_MONTHS * 31)
    for number in range(24):
        channel = CHANNELS[number % len(CHANNELS)]
        started = _month_start(start + timedelta(days=rng.randint(0, HISTORY_MONTHS * 30)))
        ended = started + timedelta(days=rng.randint(45, 200))
        campaigns.append(
            {
                "campaign_id": f"CMP-{number + 1:04d}",
                "name": f"{rng.choice(CAMPAIGN_THEMES)} ({channel.replace('_', ' ')})",
                "channel": channel,
                "started_on": iso_date(started),
                "ended_on": iso_date(ended) if ended < today else None,
                "status": "finished" if ended < today else "running",
                "budget": float(rng.randint(5, 60) * 1_000),
            }
        )
    return campaigns


CAMPAIGN_THEMES: tuple[str, ...] = (
    "Spring refresh", "Back to school", "Black Friday", "Winter warmers", "Loyalty rewards",
    "New arrivals", "Summer sale", "Free shipping week", "Holiday gifts", "Member preview",
)  # fmt: skip


def _costs(rng: Random, campaigns: list[JsonRecord], today: date) -> list[JsonRecord]:
    costs: list[JsonRecord] = []
    for campaign in campaigns:
        month = date.fromisoformat(campaign["started_on"])
        last = date.fromisoformat(campaign["ended_on"]) if campaign["ended_on"] else today
        low, high = MONTHLY_SPEND[campaign["channel"]]
        while month <= last:
            reference = campaign["campaign_id"]
            if rng.random() < 0.1:  # typed by hand in the finance import
                reference = reference.lower()
            costs.append(
                {
                    "cost_id": f"CO-{len(costs) + 1:05d}",
                    "campaign_id": reference,
                    "month": month.strftime("%Y-%m"),
                    "amount": round(rng.uniform(low, high), 2),
                    "currency": "USD",
                }
            )
            month = _month_start(month + timedelta(days=32))
    return costs


def _lead(
    rng: Random, campaigns: list[JsonRecord], email: str, converts: bool, today: date
) -> JsonRecord:
    campaign = rng.choice(campaigns)
    started = date.fromisoformat(campaign["started_on"])
    ended = date.fromisoformat(campaign["ended_on"]) if campaign["ended_on"] else today
    days_ago = rng.randint(max(0, (today - ended).days), max(0, (today - started).days))
    created = moment(today, days_ago, rng.randrange(86400))
    status = "converted" if converts and rng.random() < 0.7 else _open_status(rng, days_ago)
    converted = created + timedelta(days=rng.randint(1, 45)) if status == "converted" else None
    if converted is not None and converted.date() >= today:  # not yet: still being worked
        status, converted = "working", None
    spellings = CHANNEL_SPELLINGS[campaign["channel"]]
    return {
        "lead_id": "",
        "email": title_case_email(email) if rng.random() < 0.1 else email,
        "campaign_id": campaign["campaign_id"],
        "channel": rng.choices(spellings, weights=(6, 3, 1))[0],
        "created_at": iso_timestamp(created),
        "status": status,
        "converted_at": iso_timestamp(converted) if converted is not None else None,
    }


def _open_status(rng: Random, days_ago: int) -> str:
    if days_ago < 30:
        return rng.choice(("new", "working"))
    return rng.choices(("nurturing", "disqualified", "working"), weights=(5, 4, 1))[0]


def _touches(rng: Random, leads: list[JsonRecord], today: date) -> list[JsonRecord]:
    touches: list[JsonRecord] = []
    for lead in leads:
        created = parse_timestamp(lead["created_at"])
        for _ in range(rng.randint(1, 4)):
            days_after = rng.randint(0, max(0, min(60, (today - created.date()).days)))
            at = created + timedelta(days=days_after)
            touches.append(
                {
                    "touch_id": f"T-{len(touches) + 1:07d}",
                    "lead_id": lead["lead_id"],
                    "campaign_id": lead["campaign_id"],
                    "kind": rng.choice(TOUCH_KINDS),
                    "at": iso_timestamp(at),
                }
            )
    return touches


def _month_start(day: date) -> date:
    return day.replace(day=1)
