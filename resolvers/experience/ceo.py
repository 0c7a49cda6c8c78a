"""The CEO's view: revenue and its growth, NPS and its trend, the big deals, what comes in.

One module owning the whole shape, like the agent's and the CMO's. Sections are
computed at query time from the sources (their reports where they have them),
kept for the configured TTL and dated by their as-of time. The large-deal
threshold comes from the gateway's settings unless the query gives one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from resolvers.experience.cmo import monthly_revenue
from resolvers.experience.figures import BusinessViewSettings, Figure, oldest
from resolvers.process import nps as nps_figures
from resolvers.process import pipeline
from resolvers.process import revenue as revenue_figures
from resolvers.process.months import month_window
from resolvers.system.business_loaders import BusinessLoaders

DEFAULT_MONTHS = 12
MOST_DEALS = 100


@dataclass(slots=True, frozen=True)
class LargeDeals:
    threshold: float
    deals: list[pipeline.Deal]


@dataclass(slots=True, frozen=True)
class CeoView:
    loaders: BusinessLoaders
    settings: BusinessViewSettings
    now: datetime
    months: int = DEFAULT_MONTHS

    @property
    def window(self) -> tuple[str, ...]:
        return tuple(month_window(self.now, self.months))

    async def revenue(self) -> Figure[revenue_figures.RevenueFigures]:
        return await monthly_revenue(self.loaders, self.settings, self.window)

    async def nps(self) -> Figure[nps_figures.NpsFigures]:
        """NPS per month, over the window, and its trend (from the survey report if any)."""

        async def compute() -> Figure[nps_figures.NpsFigures]:
            if self.loaders.nps_by_month.served:
                report = await self.loaders.nps_by_month.load()
                return Figure(nps_figures.nps_by_month(report.records, self.window), report.as_of)
            answers = await self.loaders.survey_responses.load()
            return Figure(
                nps_figures.nps_from_responses(answers.records, self.window), answers.as_of
            )

        return await self.settings.figures.get(("nps", self.window), compute)

    async def large_deals(
        self, min_amount: float | None = None, limit: int | None = None
    ) -> Figure[LargeDeals]:
        """Open deals of ``min_amount`` or more (default: the configured one), largest first."""
        threshold = self.settings.large_deal_amount if min_amount is None else max(0.0, min_amount)
        shown = self.settings.large_deals_shown if limit is None else max(0, min(limit, MOST_DEALS))

        async def compute() -> Figure[LargeDeals]:
            deals = await self.loaders.opportunities.load()
            found = pipeline.large_deals(deals.records, threshold, self.now.date(), shown)
            return Figure(LargeDeals(threshold, found), deals.as_of)

        return await self.settings.figures.get(
            ("large_deals", threshold, shown, self.now.date()), compute
        )

    async def created(self) -> Figure[list[pipeline.CreatedInMonth]]:
        """Opportunities opened and leads come in per month."""

        async def compute() -> Figure[list[pipeline.CreatedInMonth]]:
            deals, leads = await asyncio.gather(
                self.loaders.opportunities.load(), self.loaders.leads_by_month.load()
            )
            value = pipeline.created_per_month(deals.records, leads.records, self.window)
            return Figure(value, oldest(deals.as_of, leads.as_of))

        return await self.settings.figures.get(("created", self.window), compute)
