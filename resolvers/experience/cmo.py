"""The CMO's view: where leads come from, what campaigns return, how the pipeline and revenue do.

One module owning the whole shape, like the agent's. Every section is computed
at query time from the sources' records and reports (a source's own report is
used where it has one, e.g. leads per month and channel, the pipeline by stage;
otherwise the records are counted here), kept for the configured TTL, and dated
by its as-of time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from resolvers.experience.figures import BusinessViewSettings, Figure, oldest
from resolvers.process import campaigns, pipeline, revenue
from resolvers.process.months import month_window
from resolvers.process.population import (
    MonetaryMeasure,
    SegmentMove,
    SegmentSize,
    population_of,
    segment_movement,
    segment_sizes,
)
from resolvers.process.population_snapshots import PopulationSnapshots
from resolvers.process.segments import SegmentRule
from resolvers.system.business_loaders import BusinessLoaders
from resolvers.system.business_records import LeadMonth, WonMonth
from resolvers.system.by_customer import RfmCutPointsLoader

DEFAULT_MONTHS = 12


class PopulationUnavailable(LookupError):
    """No order system reports its customer population (value columns), so no segment sizes."""

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": "POPULATION_UNAVAILABLE"}


@dataclass(slots=True, frozen=True)
class SegmentFigures:
    """Customers per segment now, and how many moved from each segment to each other one."""

    customers: int
    compare_days: int
    sizes: list[SegmentSize]
    movements: list[SegmentMove]


@dataclass(slots=True, frozen=True)
class CmoView:
    """The CMO's sections over the last ``months`` calendar months (the current one included)."""

    loaders: BusinessLoaders
    settings: BusinessViewSettings
    now: datetime
    months: int = DEFAULT_MONTHS

    @property
    def window(self) -> tuple[str, ...]:
        return tuple(month_window(self.now, self.months))

    async def lead_generation(self) -> Figure[list[campaigns.LeadsInMonth]]:
        """Leads and conversions per month and channel."""
        return await self.settings.figures.get(("leads", self.window), self._lead_generation)

    async def _lead_generation(self) -> Figure[list[campaigns.LeadsInMonth]]:
        if self.loaders.leads_by_month.served:
            report = await self.loaders.leads_by_month.load()
            return Figure(campaigns.lead_generation(report.records, self.window), report.as_of)
        leads = await self.loaders.leads.load()
        return Figure(campaigns.lead_generation_from_leads(leads.records, self.window), leads.as_of)

    async def campaign_performance(self) -> Figure[list[campaigns.CampaignResult]]:
        """Cost, leads, conversions, revenue attributed and cost per acquisition per campaign."""
        return await self.settings.figures.get(("campaigns", self.window), self._campaigns)

    async def _campaigns(self) -> Figure[list[campaigns.CampaignResult]]:
        found, costs, (leads, leads_as_of), (won, won_as_of) = await asyncio.gather(
            self.loaders.campaigns.load(),
            self.loaders.campaign_costs.load(),
            self._campaign_leads(),
            self._campaign_won(),
        )
        value = campaigns.campaign_performance(
            found.records, costs.records, leads, won, self.window
        )
        return Figure(value, oldest(found.as_of, costs.as_of, leads_as_of, won_as_of))

    async def _campaign_leads(self) -> tuple[list[LeadMonth], datetime]:
        """Leads per campaign: the leads report's rows when the system has one (the rows the
        lead generation section reads too: one request for both), else counted from leads."""
        if self.loaders.leads_by_month.served:
            report = await self.loaders.leads_by_month.load()
            return report.records, report.as_of
        leads = await self.loaders.leads.load()
        return campaigns.lead_rows(leads.records), leads.as_of

    async def _campaign_won(self) -> tuple[list[WonMonth], datetime]:
        """Won deals per campaign: the pipeline's won-deals report, else the won deals."""
        if self.loaders.won_by_month.served:
            report = await self.loaders.won_by_month.load()
            return report.records, report.as_of
        deals = await self.loaders.opportunities.load()
        return campaigns.won_rows(deals.records), deals.as_of

    async def pipeline_health(self) -> Figure[list[pipeline.StageHealth]]:
        """Open deals by stage, with how long they have sat in it."""
        return await pipeline_health(self.loaders, self.settings, self.now)

    async def net_revenue(self) -> Figure[revenue.RevenueFigures]:
        """Gross, discounts, returns and net revenue per month, with growth."""
        return await monthly_revenue(self.loaders, self.settings, self.window)

    async def segments(
        self,
        population: RfmCutPointsLoader,
        rules: tuple[SegmentRule, ...],
        measure: MonetaryMeasure,
        snapshots: PopulationSnapshots | None = None,
    ) -> Figure[SegmentFigures]:
        """Segment sizes and movement, from the order system's anonymous R/F/M population.

        The same segment rules and monetary measure as each customer's own segment
        (the intelligence policy), so the sizes add up to what the agent sees.
        """

        async def compute() -> Figure[SegmentFigures]:
            record = await population.load()
            if snapshots is not None:  # the snapshot in hand (never built on the request)
                snapshot = await snapshots.snapshot(record)
            else:
                snapshot = population_of(record) if record is not None else None
            if snapshot is None:
                raise PopulationUnavailable(
                    "no order system reports its customer population (the RFM value columns)"
                )
            figures = SegmentFigures(
                snapshot.size,
                snapshot.compare_days,
                segment_sizes(snapshot, rules, measure),
                segment_movement(snapshot, rules, measure),
            )
            return Figure(figures, snapshot.as_of)

        return await self.settings.figures.get(("segments", rules, measure), compute)


async def pipeline_health(
    loaders: BusinessLoaders, settings: BusinessViewSettings, now: datetime
) -> Figure[list[pipeline.StageHealth]]:
    """Pushed down to the pipeline's own stage report when a source has one."""

    async def compute() -> Figure[list[pipeline.StageHealth]]:
        if loaders.pipeline_by_stage.served:
            report = await loaders.pipeline_by_stage.load()
            return Figure(pipeline.pipeline_health(report.records), report.as_of)
        deals = await loaders.opportunities.load()
        return Figure(pipeline.pipeline_health_from(deals.records, now.date()), deals.as_of)

    return await settings.figures.get(("pipeline", now.date()), compute)


async def monthly_revenue(
    loaders: BusinessLoaders, settings: BusinessViewSettings, window: tuple[str, ...]
) -> Figure[revenue.RevenueFigures]:
    """The order systems' revenue reports over ``window`` (shared by the CMO and the CEO)."""

    async def compute() -> Figure[revenue.RevenueFigures]:
        report = await loaders.revenue_by_month.load()
        return Figure(revenue.monthly_revenue(report.records, window), report.as_of)

    return await settings.figures.get(("revenue", window), compute)
