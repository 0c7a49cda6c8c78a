"""The sales pipeline: stages normalised, health by stage with ageing, large deals, deals created.

Pure functions over domain records, and the ``*_of(loaders, ...)`` that read them
(the pipeline's own stage report when a source serves one, else the deals).
Stages arrive as each rep's tool wrote them (`Closed Won`, `CLOSED-WON`,
`closed_won`); a stage outside the known ones is kept as itself, after the open ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from resolvers.process.dated_figure import Figure, oldest
from resolvers.process.months import month_of
from resolvers.system.business_loaders import BusinessLoaders
from resolvers.system.business_records import LeadMonth, Opportunity, PipelineStage

OPEN_STAGES: tuple[str, ...] = ("prospecting", "qualification", "proposal", "negotiation")
WON = "closed_won"
LOST = "closed_lost"
CLOSED = frozenset({WON, LOST})


def stage_of(text: str) -> str:
    """``Closed Won``, ``CLOSED-WON`` and ``closed_won`` are all ``closed_won``."""
    return "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


@dataclass(slots=True, frozen=True)
class StageHealth:
    stage: str
    opportunities: int
    amount: float
    average_days_in_stage: float | None
    max_days_in_stage: int | None


def _stage_order(stage: str) -> tuple[int, str]:
    return (OPEN_STAGES.index(stage), "") if stage in OPEN_STAGES else (len(OPEN_STAGES), stage)


def pipeline_health(rows: Sequence[PipelineStage]) -> list[StageHealth]:
    """A source's stage report, stages normalised (and merged across sources), open ones only.

    Every open stage is listed, with zeros when nothing sits in it; averages of
    merged rows are weighted by their counts.
    """
    merged: dict[str, list[float]] = {stage: [0, 0.0, 0.0, -1] for stage in OPEN_STAGES}
    averaged: dict[str, bool] = dict.fromkeys(OPEN_STAGES, True)
    for row in rows:
        stage = stage_of(row.stage)
        if stage in CLOSED:
            continue
        entry = merged.setdefault(stage, [0, 0.0, 0.0, -1])
        averaged.setdefault(stage, True)
        entry[0] += row.opportunities
        entry[1] += row.amount
        if row.average_days_in_stage is None:
            averaged[stage] = False
        else:
            entry[2] += row.average_days_in_stage * row.opportunities
        if row.max_days_in_stage is not None:
            entry[3] = max(entry[3], row.max_days_in_stage)
    return [
        StageHealth(
            stage,
            int(count),
            round(amount, 2),
            round(days / count, 1) if count and averaged[stage] else (0.0 if not count else None),
            int(oldest) if oldest >= 0 else (0 if not count else None),
        )
        for stage, (count, amount, days, oldest) in sorted(
            merged.items(), key=lambda item: _stage_order(item[0])
        )
    ]


def pipeline_health_from(opportunities: Sequence[Opportunity], today: date) -> list[StageHealth]:
    """The same figures counted from opportunity records (for a source without a report)."""
    rows = []
    for deal in opportunities:
        days = days_in_stage(deal, today)
        rows.append(
            PipelineStage(deal.source, deal.stage, 1, deal.amount, deal.created_at, days, days)
        )
    return pipeline_health(rows)


def days_in_stage(deal: Opportunity, today: date) -> int:
    """Whole days since the deal entered its stage (since it was created, if not known)."""
    entered = deal.stage_changed_at or deal.created_at
    return max(0, (today - entered.date()).days)


@dataclass(slots=True, frozen=True)
class Deal:
    id: str
    name: str | None
    stage: str
    amount: float
    close_date: date | None
    owner: str | None
    days_in_stage: int


def large_deals(
    opportunities: Sequence[Opportunity], threshold: float, today: date, limit: int
) -> list[Deal]:
    """Open deals worth ``threshold`` or more, largest first (at most ``limit``)."""
    found = [
        Deal(
            deal.id,
            deal.name,
            stage_of(deal.stage),
            round(deal.amount, 2),
            deal.close_date,
            deal.owner,
            days_in_stage(deal, today),
        )
        for deal in opportunities
        if stage_of(deal.stage) not in CLOSED and deal.amount >= threshold
    ]
    found.sort(key=lambda deal: (-deal.amount, deal.id))
    return found[: max(0, limit)]


@dataclass(slots=True, frozen=True)
class CreatedInMonth:
    month: str
    opportunities: int
    leads: int


def created_per_month(
    opportunities: Sequence[Opportunity], lead_rows: Sequence[LeadMonth], months: Sequence[str]
) -> list[CreatedInMonth]:
    """Opportunities opened and leads come in, per month of ``months`` (zeros included)."""
    opened = dict.fromkeys(months, 0)
    for deal in opportunities:
        month = month_of(deal.created_at)
        if month in opened:
            opened[month] += 1
    leads = dict.fromkeys(months, 0)
    for row in lead_rows:
        if row.month in leads:
            leads[row.month] += row.leads
    return [CreatedInMonth(month, opened[month], leads[month]) for month in months]


async def pipeline_health_of(loaders: BusinessLoaders, today: date) -> Figure[list[StageHealth]]:
    """Open deals by stage: pushed down to the pipeline's stage report when a source has one."""
    if loaders.pipeline_by_stage.served:
        report = await loaders.pipeline_by_stage.load()
        return Figure(pipeline_health(report.records), report.as_of)
    deals = await loaders.opportunities.load()
    return Figure(pipeline_health_from(deals.records, today), deals.as_of)


async def large_deals_of(
    loaders: BusinessLoaders, threshold: float, today: date, limit: int
) -> Figure[list[Deal]]:
    """The open deals worth ``threshold`` or more, largest first, from every deal."""
    deals = await loaders.opportunities.load()
    return Figure(large_deals(deals.records, threshold, today, limit), deals.as_of)


async def created_of(
    loaders: BusinessLoaders, months: Sequence[str]
) -> Figure[list[CreatedInMonth]]:
    """Opportunities opened (from the deals) and leads come in (the leads report) per month."""
    deals, leads = await asyncio.gather(loaders.opportunities.load(), loaders.leads_by_month.load())
    value = created_per_month(deals.records, leads.records, months)
    return Figure(value, oldest(deals.as_of, leads.as_of))
