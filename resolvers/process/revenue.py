"""Monthly revenue and its growth, from the order systems' revenue reports.

Pure functions, and ``monthly_revenue_of`` that reads the reports. Rows of the
same month from several order systems add up; a month with no row is a month
with no sales (zeros), not a gap; the current month is marked partial, so a
dashboard does not read it as a fall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from resolvers.process.dated_figure import Figure
from resolvers.process.months import growth_pct
from resolvers.system.business_loaders import BusinessLoaders
from resolvers.system.business_records import RevenueMonth


@dataclass(slots=True, frozen=True)
class RevenueInMonth:
    month: str
    orders: int
    gross: float
    discounts: float
    returns: float
    net: float
    growth_pct: float | None
    """Net against the month before, in %; None for the first month, a base of zero, or
    the current (partial) month."""
    partial: bool


@dataclass(slots=True, frozen=True)
class RevenueFigures:
    months: list[RevenueInMonth]
    net_total: float
    """Net revenue over the whole window."""
    growth_pct: float | None
    """The last complete month's net against the one before it."""


def monthly_revenue(rows: Sequence[RevenueMonth], months: Sequence[str]) -> RevenueFigures:
    """The window's months, oldest first; the last month of ``months`` is the current one."""
    sums: dict[str, list[float]] = {month: [0, 0.0, 0.0, 0.0, 0.0] for month in months}
    for row in rows:
        entry = sums.get(row.month)
        if entry is None:
            continue
        entry[0] += row.orders or 0
        entry[1] += row.gross if row.gross is not None else row.net
        entry[2] += row.discounts or 0.0
        entry[3] += row.returns or 0.0
        entry[4] += row.net
    figures: list[RevenueInMonth] = []
    previous: float | None = None
    for month in months:
        count, gross, discounts, returns, net = sums[month]
        figures.append(
            RevenueInMonth(
                month,
                int(count),
                round(gross, 2),
                round(discounts, 2),
                round(returns, 2),
                round(net, 2),
                None if month == months[-1] else growth_pct(net, previous),
                partial=month == months[-1],
            )
        )
        previous = net
    complete = [figure for figure in figures if not figure.partial]
    growth = complete[-1].growth_pct if complete else None
    total = round(sum(figure.net for figure in figures), 2)
    return RevenueFigures(figures, total, growth)


async def monthly_revenue_of(
    loaders: BusinessLoaders, months: Sequence[str]
) -> Figure[RevenueFigures]:
    """The order systems' revenue reports over ``months`` (the CMO's and the CEO's figure)."""
    report = await loaders.revenue_by_month.load()
    return Figure(monthly_revenue(report.records, months), report.as_of)
