"""Lead generation and campaign performance, from marketing records and won deals.

Pure functions over domain records. Channels arrive typed by hand (`Paid Search`,
`ppc`, `paid_search`); they are read through one alias table, and a spelling it
does not know is reported as itself (lower-cased), never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from resolvers.process.months import month_of
from resolvers.process.pipeline import WON, stage_of
from resolvers.system.business_records import Campaign, CampaignCost, Lead, LeadMonth, Opportunity

CHANNEL_ALIASES: dict[str, str] = {
    "email": "email", "e-mail": "email", "newsletter": "email",
    "paid_search": "paid_search", "paid search": "paid_search", "ppc": "paid_search",
    "sem": "paid_search",
    "social": "social", "paid social": "social", "paid_social": "social",
    "display": "display", "banner": "display",
    "events": "events", "event": "events", "webinar": "events",
    "referral": "referral", "partner": "referral",
}  # fmt: skip
CONVERTED = "converted"


def channel_of(text: str | None) -> str:
    """The canonical channel of a hand-typed one (``unknown`` when empty)."""
    key = " ".join((text or "").strip().lower().split())
    if not key:
        return "unknown"
    return CHANNEL_ALIASES.get(key, CHANNEL_ALIASES.get(key.replace("-", "_"), key))


@dataclass(slots=True, frozen=True)
class LeadsInMonth:
    month: str
    channel: str
    leads: int
    converted: int | None


def lead_generation(rows: Sequence[LeadMonth], months: Sequence[str]) -> list[LeadsInMonth]:
    """Report rows within ``months``, channels normalised and merged, by month then channel.

    ``converted`` is None when a source's report does not count conversions.
    """
    wanted = set(months)
    leads: dict[tuple[str, str], int] = {}
    converted: dict[tuple[str, str], int | None] = {}
    for row in rows:
        if row.month not in wanted:
            continue
        key = (row.month, channel_of(row.channel))
        leads[key] = leads.get(key, 0) + row.leads
        before = converted.get(key, 0)
        converted[key] = None if before is None or row.converted is None else before + row.converted
    return [LeadsInMonth(m, c, n, converted[(m, c)]) for (m, c), n in sorted(leads.items())]


def lead_generation_from_leads(leads: Sequence[Lead], months: Sequence[str]) -> list[LeadsInMonth]:
    """The same figures counted from lead records (for a source without a leads report)."""
    rows = [
        LeadMonth(
            lead.source,
            month_of(lead.created_at),
            channel_of(lead.channel),
            1,
            lead.created_at,
            int(lead.status == CONVERTED),
        )
        for lead in leads
    ]
    return lead_generation(rows, months)


@dataclass(slots=True, frozen=True)
class CampaignResult:
    """One campaign: what it cost, the leads and customers it brought, the revenue won from it."""

    id: str
    name: str | None
    channel: str
    cost: float
    leads: int
    conversions: int
    revenue_attributed: float
    cost_per_acquisition: float | None
    """cost / conversions; None without a conversion."""
    return_on_spend: float | None
    """revenue_attributed / cost; None without a cost."""


def campaign_performance(
    campaigns: Sequence[Campaign],
    costs: Sequence[CampaignCost],
    leads: Sequence[Lead],
    opportunities: Sequence[Opportunity],
    months: Sequence[str],
) -> list[CampaignResult]:
    """Campaigns that spent or brought leads within ``months``, costliest first.

    Cost: the cost lines of those months (campaign ids compared case-blind).
    Leads: leads created in those months. Conversions: distinct people (email,
    case-blind) among its converted leads. Revenue attributed: won deals that
    name the campaign as their source, closed in those months (first-touch
    attribution, as the CRM records it).
    """
    wanted = set(months)
    cost: dict[str, float] = {}
    for line in costs:
        if line.month in wanted:
            key = line.campaign_id.strip().upper()
            cost[key] = cost.get(key, 0.0) + line.amount
    lead_count: dict[str, int] = {}
    converted: dict[str, set[str]] = {}
    for lead in leads:
        if lead.campaign_id is None or month_of(lead.created_at) not in wanted:
            continue
        key = lead.campaign_id.strip().upper()
        lead_count[key] = lead_count.get(key, 0) + 1
        if lead.status == CONVERTED:
            converted.setdefault(key, set()).add((lead.email or lead.id).strip().lower())
    revenue: dict[str, float] = {}
    for deal in opportunities:
        closed = deal.close_date
        if deal.campaign_id is None or stage_of(deal.stage) != WON or closed is None:
            continue
        if f"{closed.year:04d}-{closed.month:02d}" in wanted:
            key = deal.campaign_id.strip().upper()
            revenue[key] = revenue.get(key, 0.0) + deal.amount
    results = []
    for campaign in campaigns:
        key = campaign.id.strip().upper()
        if key not in cost and key not in lead_count:
            continue
        spent = round(cost.get(key, 0.0), 2)
        won = round(revenue.get(key, 0.0), 2)
        conversions = len(converted.get(key, ()))
        results.append(
            CampaignResult(
                id=campaign.id,
                name=campaign.name,
                channel=channel_of(campaign.channel),
                cost=spent,
                leads=lead_count.get(key, 0),
                conversions=conversions,
                revenue_attributed=won,
                cost_per_acquisition=round(spent / conversions, 2) if conversions else None,
                return_on_spend=round(won / spent, 2) if spent > 0 else None,
            )
        )
    results.sort(key=lambda result: (-result.cost, result.id))
    return results
