"""Lead generation and campaign performance, from marketing records and won deals.

Pure functions over domain records, and the two ``*_of(loaders, months)`` that
choose what to read: a system's own report (leads per month and channel, won
deals per month) when one serves it, else its records, counted here. Channels
arrive typed by hand (`Paid Search`, `ppc`, `paid_search`); they are read through
one alias table, and a spelling it does not know is reported as itself
(lower-cased), never dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from resolvers.process.dated_figure import Figure, oldest
from resolvers.process.months import month_of
from resolvers.process.pipeline import WON, stage_of
from resolvers.system.business_loaders import BusinessLoaders
from resolvers.system.business_records import (
    Campaign,
    CampaignCost,
    Lead,
    LeadMonth,
    Opportunity,
    WonMonth,
)

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


def lead_rows(leads: Sequence[Lead]) -> list[LeadMonth]:
    """Lead records as report rows (one lead each): for a source without a leads report."""
    return [
        LeadMonth(
            lead.source,
            month_of(lead.created_at),
            lead.channel or "",
            1,
            lead.created_at,
            int(lead.status == CONVERTED),
            lead.campaign_id,
        )
        for lead in leads
    ]


def lead_generation_from_leads(leads: Sequence[Lead], months: Sequence[str]) -> list[LeadsInMonth]:
    """The same figures counted from lead records (for a source without a leads report)."""
    return lead_generation(lead_rows(leads), months)


def won_rows(opportunities: Sequence[Opportunity]) -> list[WonMonth]:
    """Won deals as report rows (one deal each): for a pipeline without a won-deals report."""
    return [
        WonMonth(
            deal.source,
            f"{deal.close_date.year:04d}-{deal.close_date.month:02d}",
            deal.amount,
            deal.created_at,
            1,
            deal.campaign_id,
        )
        for deal in opportunities
        if deal.close_date is not None and stage_of(deal.stage) == WON
    ]


@dataclass(slots=True, frozen=True)
class CampaignResult:
    """One campaign: what it cost, the leads and customers it brought, the revenue won from it."""

    id: str
    name: str | None
    channel: str
    cost: float
    leads: int
    conversions: int
    """Its leads converted to customers."""
    revenue_attributed: float
    cost_per_acquisition: float | None
    """cost / conversions; None without a conversion."""
    return_on_spend: float | None
    """revenue_attributed / cost; None without a cost."""


def campaign_performance(
    campaigns: Sequence[Campaign],
    costs: Sequence[CampaignCost],
    leads: Sequence[LeadMonth],
    won: Sequence[WonMonth],
    months: Sequence[str],
) -> list[CampaignResult]:
    """Campaigns that spent or brought leads within ``months``, costliest first.

    Cost: the cost lines of those months (campaign ids compared case-blind).
    Leads and conversions: leads created in those months, and those of them
    converted, per campaign (the leads report's rows, or ``lead_rows`` of the
    records). Revenue attributed: deals won in those months that name the campaign
    as their source (first-touch attribution, as the CRM records it; the won-deals
    report's rows, or ``won_rows`` of the opportunities).
    """
    wanted = set(months)
    cost: dict[str, float] = {}
    for line in costs:
        if line.month in wanted:
            key = line.campaign_id.strip().upper()
            cost[key] = cost.get(key, 0.0) + line.amount
    lead_count: dict[str, int] = {}
    converted: dict[str, int] = {}
    for row in leads:
        if row.campaign_id is None or row.month not in wanted:
            continue
        key = row.campaign_id.strip().upper()
        lead_count[key] = lead_count.get(key, 0) + row.leads
        converted[key] = converted.get(key, 0) + (row.converted or 0)
    revenue: dict[str, float] = {}
    for deals in won:
        if deals.campaign_id is not None and deals.month in wanted:
            key = deals.campaign_id.strip().upper()
            revenue[key] = revenue.get(key, 0.0) + deals.amount
    results = []
    for campaign in campaigns:
        key = campaign.id.strip().upper()
        if key not in cost and key not in lead_count:
            continue
        spent = round(cost.get(key, 0.0), 2)
        attributed = round(revenue.get(key, 0.0), 2)
        conversions = converted.get(key, 0)
        results.append(
            CampaignResult(
                id=campaign.id,
                name=campaign.name,
                channel=channel_of(campaign.channel),
                cost=spent,
                leads=lead_count.get(key, 0),
                conversions=conversions,
                revenue_attributed=attributed,
                cost_per_acquisition=round(spent / conversions, 2) if conversions else None,
                return_on_spend=round(attributed / spent, 2) if spent > 0 else None,
            )
        )
    results.sort(key=lambda result: (-result.cost, result.id))
    return results


async def lead_generation_of(
    loaders: BusinessLoaders, months: Sequence[str]
) -> Figure[list[LeadsInMonth]]:
    """Leads and conversions per month and channel: the leads report, else the leads counted."""
    if loaders.leads_by_month.served:
        report = await loaders.leads_by_month.load()
        return Figure(lead_generation(report.records, months), report.as_of)
    leads = await loaders.leads.load()
    return Figure(lead_generation_from_leads(leads.records, months), leads.as_of)


async def campaign_performance_of(
    loaders: BusinessLoaders, months: Sequence[str]
) -> Figure[list[CampaignResult]]:
    """Every campaign's cost, leads, conversions and revenue won, read in one go."""
    found, costs, (leads, leads_as_of), (won, won_as_of) = await asyncio.gather(
        loaders.campaigns.load(),
        loaders.campaign_costs.load(),
        _campaign_leads(loaders),
        _campaign_won(loaders),
    )
    value = campaign_performance(found.records, costs.records, leads, won, months)
    return Figure(value, oldest(found.as_of, costs.as_of, leads_as_of, won_as_of))


async def _campaign_leads(loaders: BusinessLoaders) -> tuple[list[LeadMonth], datetime]:
    """Leads per campaign: the leads report's rows when the system has one (the rows the
    lead generation reads too: one request for both), else counted from leads."""
    if loaders.leads_by_month.served:
        report = await loaders.leads_by_month.load()
        return report.records, report.as_of
    leads = await loaders.leads.load()
    return lead_rows(leads.records), leads.as_of


async def _campaign_won(loaders: BusinessLoaders) -> tuple[list[WonMonth], datetime]:
    """Won deals per campaign: the pipeline's won-deals report, else the won deals."""
    if loaders.won_by_month.served:
        report = await loaders.won_by_month.load()
        return report.records, report.as_of
    deals = await loaders.opportunities.load()
    return won_rows(deals.records), deals.as_of
