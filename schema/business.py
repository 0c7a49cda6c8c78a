"""GraphQL types of the business figures the CMO's and CEO's views share.

Thin: each reads the process layer's records as they are (plain data); the
wrapping types add the figure's ``asOf``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import strawberry

from resolvers.experience.figures import BusinessViewSettings, Figure
from resolvers.process import revenue
from resolvers.system.business_loaders import BusinessLoaders
from schema.context import Context


@strawberry.type(description="Net revenue of one calendar month (UTC), from the order systems.")
class RevenueInMonth:
    month: str = strawberry.field(description="YYYY-MM.")
    orders: int
    gross: float = strawberry.field(description="List price of the goods sold.")
    discounts: float
    returns: float = strawberry.field(description="Totals of orders since returned.")
    net: float = strawberry.field(description="gross - discounts - returns.")
    growth_pct: float | None = strawberry.field(
        description="Net against the month before, in %; null for the first month or a zero base."
    )
    partial: bool = strawberry.field(description="The current month, still running.")


@strawberry.type(description="Monthly revenue over the window, as of a time.")
class RevenueFigures:
    as_of: datetime = strawberry.field(description="The moment the figures describe.")
    months: list[RevenueInMonth]
    net_total: float = strawberry.field(description="Net revenue over the window.")
    growth_pct: float | None = strawberry.field(
        description="The last complete month's net against the month before it, in %."
    )

    @classmethod
    def of(cls, figure: Figure[revenue.RevenueFigures]) -> RevenueFigures:
        """The CMO's net revenue and the CEO's revenue: one figure, one shape."""
        value = figure.value
        return cls(
            as_of=figure.as_of,
            months=cast("list[RevenueInMonth]", value.months),
            net_total=value.net_total,
            growth_pct=value.growth_pct,
        )


@strawberry.type(description="Open deals in one pipeline stage and how long they have sat there.")
class StageHealth:
    stage: str
    opportunities: int
    amount: float
    average_days_in_stage: float | None
    max_days_in_stage: int | None


@strawberry.type(description="The open pipeline by stage, as of a time.")
class PipelineHealth:
    as_of: datetime
    stages: list[StageHealth]


@strawberry.type(description="An open deal.")
class Deal:
    id: strawberry.ID
    name: str | None
    stage: str
    amount: float
    close_date: date | None = strawberry.field(description="Expected close day.")
    owner: str | None
    days_in_stage: int


DEFAULT_SETTINGS = BusinessViewSettings()
"""For contexts built without the gateway's settings (tests, scripts)."""


def business_of(context: Context) -> tuple[BusinessLoaders, BusinessViewSettings]:
    """The request's population loaders (one set per request) and the views' settings."""
    loaders = context.extra.get(BUSINESS_LOADERS)
    if loaders is None:
        loaders = context.extra[BUSINESS_LOADERS] = BusinessLoaders.over(context.loaders)
    settings = context.extra.get(BUSINESS_VIEWS, DEFAULT_SETTINGS)
    return loaders, settings


BUSINESS_LOADERS = "business_loaders"
BUSINESS_VIEWS = "business_views"
"""``Context.extra`` keys: the request's BusinessLoaders, the gateway's BusinessViewSettings."""
