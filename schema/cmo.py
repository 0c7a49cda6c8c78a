"""The CMO's view: a thin GraphQL face of ``resolvers.experience.cmo.CmoView``.

Each section is nullable on its own: a source that is down costs its sections,
with an error naming it, never the view.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry

from resolvers.experience import cmo
from schema.business import PipelineHealth, RevenueFigures, StageHealth
from schema.context import Info


@strawberry.type(description="Leads that came in one month on one channel.")
class LeadsInMonth:
    month: str = strawberry.field(description="YYYY-MM.")
    channel: str = strawberry.field(description="Normalised channel (email, paid_search, ...).")
    leads: int
    converted: int | None = strawberry.field(description="Of those, converted to customers.")


@strawberry.type(description="Lead generation by channel and month, as of a time.")
class LeadGeneration:
    as_of: datetime
    rows: list[LeadsInMonth]


@strawberry.type(description="What one campaign cost and brought within the window.")
class CampaignResult:
    id: strawberry.ID
    name: str | None
    channel: str
    cost: float
    leads: int
    conversions: int = strawberry.field(description="Distinct people among its converted leads.")
    revenue_attributed: float = strawberry.field(
        description="Won deals naming the campaign as their source (first touch)."
    )
    cost_per_acquisition: float | None = strawberry.field(
        description="cost / conversions; null without a conversion."
    )
    return_on_spend: float | None = strawberry.field(
        description="revenue attributed / cost; null without a cost."
    )


@strawberry.type(description="Campaign performance, costliest first, as of a time.")
class CampaignPerformance:
    as_of: datetime
    campaigns: list[CampaignResult]


@strawberry.type(description="Customers in one segment now.")
class SegmentSize:
    segment: str
    customers: int
    share: float = strawberry.field(description="Of the population (0 to 1).")


@strawberry.type(
    description="Customers who were in one segment and are now in another (or the same)."
)
class SegmentMove:
    from_segment: str
    to_segment: str
    customers: int


@strawberry.type(description="Segment sizes and the movement between segments, as of a time.")
class SegmentFigures:
    as_of: datetime
    customers: int = strawberry.field(description="Customers with a purchase in the RFM window.")
    compare_days: int = strawberry.field(description="How far back the movement looks (days).")
    sizes: list[SegmentSize]
    movements: list[SegmentMove] = strawberry.field(
        description="From the segment `compareDays` ago to the segment now, largest first."
    )


@strawberry.type(description="What the CMO reads: leads, campaigns, pipeline, revenue, segments.")
class CmoView:
    view: strawberry.Private[cmo.CmoView]

    @strawberry.field(description="The calendar months covered (YYYY-MM, oldest first).")
    def months(self) -> list[str]:
        return list(self.view.window)

    @strawberry.field(description="Leads and conversions per month and channel.")
    async def lead_generation(self) -> LeadGeneration | None:
        figure = await self.view.lead_generation()
        return LeadGeneration(as_of=figure.as_of, rows=cast("list[LeadsInMonth]", figure.value))

    @strawberry.field(description="Per campaign: cost, leads, conversions, revenue, CPA.")
    async def campaign_performance(self) -> CampaignPerformance | None:
        figure = await self.view.campaign_performance()
        campaigns = cast("list[CampaignResult]", figure.value)
        return CampaignPerformance(as_of=figure.as_of, campaigns=campaigns)

    @strawberry.field(description="Open deals by stage, with ageing.")
    async def pipeline_health(self) -> PipelineHealth | None:
        figure = await self.view.pipeline_health()
        return PipelineHealth(as_of=figure.as_of, stages=cast("list[StageHealth]", figure.value))

    @strawberry.field(description="Gross, discounts, returns and net revenue per month.")
    async def net_revenue(self) -> RevenueFigures | None:
        return RevenueFigures.of(await self.view.net_revenue())

    @strawberry.field(description="Segment sizes and movement between segments (RFM population).")
    async def segments(self, info: Info) -> SegmentFigures | None:
        context = info.context
        policy = context.intelligence.policy
        figure = await self.view.segments(
            context.customer_loaders.rfm_cut_points,
            policy.segment_rules,
            policy.rfm_monetary,
            context.intelligence.snapshots,
        )
        value = figure.value
        return SegmentFigures(
            as_of=figure.as_of,
            customers=value.customers,
            compare_days=value.compare_days,
            sizes=cast("list[SegmentSize]", value.sizes),
            movements=cast("list[SegmentMove]", value.movements),
        )
