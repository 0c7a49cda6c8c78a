"""The CEO's view: a thin GraphQL face of ``resolvers.experience.ceo.CeoView``.

Each section is nullable on its own: a source that is down costs its sections,
with an error naming it, never the view.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from resolvers.experience import ceo
from schema.business import Deal, RevenueFigures


@strawberry.type(description="Survey answers of one month and their NPS.")
class NpsInMonth:
    month: str = strawberry.field(description="YYYY-MM.")
    responses: int
    promoters: int = strawberry.field(description="Answers 9-10.")
    passives: int = strawberry.field(description="Answers 7-8.")
    detractors: int = strawberry.field(description="Answers 0-6.")
    nps: float | None = strawberry.field(description="% promoters - % detractors; null: none.")


@strawberry.type(description="Net Promoter Score over the window and its trend, as of a time.")
class NpsFigures:
    as_of: datetime
    score: float | None = strawberry.field(description="NPS over the window's answers.")
    trend: float | None = strawberry.field(
        description="Last three months' NPS minus the three months' before, in points."
    )
    months: list[NpsInMonth]


@strawberry.type(description="Open deals at or above a threshold, largest first, as of a time.")
class LargeDeals:
    as_of: datetime
    threshold: float
    deals: list[Deal]


@strawberry.type(description="Opportunities opened and leads come in during one month.")
class CreatedInMonth:
    month: str
    opportunities: int
    leads: int


@strawberry.type(description="What was created per month, as of a time.")
class CreatedFigures:
    as_of: datetime
    months: list[CreatedInMonth]


@strawberry.type(description="What the CEO reads: revenue, NPS, big deals, what comes in.")
class CeoView:
    view: strawberry.Private[ceo.CeoView]

    @strawberry.field(description="The calendar months covered (YYYY-MM, oldest first).")
    def months(self) -> list[str]:
        return list(self.view.window)

    @strawberry.field(description="Net revenue per month and its growth.")
    async def revenue(self) -> RevenueFigures | None:
        return RevenueFigures.of(await self.view.revenue())

    @strawberry.field(description="NPS per month, over the window, and its trend.")
    async def nps(self) -> NpsFigures | None:
        figure = await self.view.nps()
        value = figure.value
        return NpsFigures(
            as_of=figure.as_of,
            score=value.score,
            trend=value.trend,
            months=cast("list[NpsInMonth]", value.months),
        )

    @strawberry.field(
        description="Open deals worth `minAmount` or more (default: the gateway's configured "
        "threshold, C360_LARGE_DEAL_AMOUNT), largest first; at most `limit` (0..100)."
    )
    async def large_deals(
        self, min_amount: float | None = None, limit: int | None = None
    ) -> LargeDeals | None:
        figure = await self.view.large_deals(min_amount, limit)
        value = figure.value
        deals = cast("list[Deal]", value.deals)
        return LargeDeals(as_of=figure.as_of, threshold=value.threshold, deals=deals)

    @strawberry.field(description="Opportunities opened and leads come in, per month.")
    async def created(self) -> CreatedFigures | None:
        figure = await self.view.created()
        return CreatedFigures(as_of=figure.as_of, months=cast("list[CreatedInMonth]", figure.value))
