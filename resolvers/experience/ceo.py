"""The CEO's view: revenue and its growth, NPS and its trend, the big deals, what comes in.

One module owning the whole shape, like the agent's and the CMO's: which sections
the CEO sees, over which months, each kept for the configured TTL and dated by
its as-of time. What each reads (the systems' reports where they have them) is
the process layer's choice. The large-deal threshold comes from the gateway's
settings unless the query gives one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from resolvers.experience.cmo import monthly_revenue
from resolvers.experience.figures import BusinessViewSettings, Figure
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
        return await self.settings.figures.get(
            ("nps", self.window), lambda: nps_figures.nps_of(self.loaders, self.window)
        )

    async def large_deals(
        self, min_amount: float | None = None, limit: int | None = None
    ) -> Figure[LargeDeals]:
        """Open deals of ``min_amount`` or more (default: the configured one), largest first."""
        threshold = self.settings.large_deal_amount if min_amount is None else max(0.0, min_amount)
        shown = self.settings.large_deals_shown if limit is None else max(0, min(limit, MOST_DEALS))
        today = self.now.date()

        async def compute() -> Figure[LargeDeals]:
            found = await pipeline.large_deals_of(self.loaders, threshold, today, shown)
            return Figure(LargeDeals(threshold, found.value), found.as_of)

        return await self.settings.figures.get(("large_deals", threshold, shown, today), compute)

    async def created(self) -> Figure[list[pipeline.CreatedInMonth]]:
        """Opportunities opened and leads come in per month."""
        return await self.settings.figures.get(
            ("created", self.window), lambda: pipeline.created_of(self.loaders, self.window)
        )
