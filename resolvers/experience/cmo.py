"""The CMO's view: where leads come from, what campaigns return, how the pipeline and revenue do.

One module owning the whole shape, like the agent's: which sections the CMO
sees, over which months, each kept for the configured TTL and dated by its as-of
time. What each section reads (a source's own report where it has one, e.g.
leads per month and channel, the pipeline by stage; otherwise the records,
counted) is the process layer's choice: this view hands it the request's loaders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from resolvers.experience.figures import BusinessViewSettings, Figure
from resolvers.process import campaigns, pipeline, revenue
from resolvers.process.months import month_window
from resolvers.process.population import MonetaryMeasure
from resolvers.process.population_snapshots import PopulationSnapshots
from resolvers.process.segment_figures import (
    PopulationUnavailable,
    SegmentFigures,
    segment_figures_of,
)
from resolvers.process.segments import SegmentRule
from resolvers.system.business_loaders import BusinessLoaders
from resolvers.system.by_customer import RfmCutPointsLoader

__all__ = ["DEFAULT_MONTHS", "CmoView", "PopulationUnavailable", "SegmentFigures"]

DEFAULT_MONTHS = 12


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
        return await self.settings.figures.get(
            ("leads", self.window),
            lambda: campaigns.lead_generation_of(self.loaders, self.window),
        )

    async def campaign_performance(self) -> Figure[list[campaigns.CampaignResult]]:
        """Cost, leads, conversions, revenue attributed and cost per acquisition per campaign."""
        return await self.settings.figures.get(
            ("campaigns", self.window),
            lambda: campaigns.campaign_performance_of(self.loaders, self.window),
        )

    async def pipeline_health(self) -> Figure[list[pipeline.StageHealth]]:
        """Open deals by stage, with how long they have sat in it."""
        today = self.now.date()
        return await self.settings.figures.get(
            ("pipeline", today), lambda: pipeline.pipeline_health_of(self.loaders, today)
        )

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
        return await self.settings.figures.get(
            ("segments", rules, measure),
            lambda: segment_figures_of(population, rules, measure, snapshots),
        )


async def monthly_revenue(
    loaders: BusinessLoaders, settings: BusinessViewSettings, window: tuple[str, ...]
) -> Figure[revenue.RevenueFigures]:
    """Revenue per month over ``window``: one kept figure for the CMO's and the CEO's view."""
    return await settings.figures.get(
        ("revenue", window), lambda: revenue.monthly_revenue_of(loaders, window)
    )
