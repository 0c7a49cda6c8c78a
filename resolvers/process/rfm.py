"""RFM: recency, frequency and monetary value, each scored 1–5 against the customer population.

The rule is the rank rule: score = 1 + floor(5 · S / N), where S is the number
of customers in the population strictly worse on that measure (longer silence,
fewer orders, less spend) and N the population's size, so tied customers share a
score and a population of identical customers scores 1 throughout. The
population is the order system's customers with at least one purchase in the
window (``population.py``); a source that sends only quintile cut points is
scored by them instead (``population_as_of`` says which data scored it).

What counts, over the window ending now (each rule is tested):
- an order is a purchase unless it is cancelled, its total is zero or negative
  (not a sale), or it is placed after now (a clock or data error); those are
  counted in ``ignored_orders`` and change nothing else;
- spend is what the customer kept: the total less its refund, the refund capped
  at the total (a refund larger than its order refunds the order, no more); a
  returned order without a refund amount is refunded in full;
- a customer with no purchase in the window scores 1 / 1 / 1, is not part of
  the population, and has ``recency_days`` counted from their last purchase
  ever (None if there is none).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from resolvers.process.population import (
    MonetaryMeasure,
    Population,
    higher_is_better_score,
    population_of,
    recency_score,
)
from resolvers.system.records import Order, RfmCutPoints

NOT_PLACED = frozenset({"cancelled"})


@dataclass(slots=True, frozen=True)
class RfmScore:
    recency: int
    frequency: int
    monetary: int
    recency_days: int | None
    order_count: int
    total_spend: float
    population_as_of: datetime | None
    average_spend: float = 0.0
    monetary_measure: MonetaryMeasure = "total"
    window_days: int | None = None
    population_size: int | None = None
    ignored_orders: int = 0
    ever_ordered: bool = False
    """Whether any purchase exists at all (before the window too)."""
    population_source: str | None = None
    """The source whose population scored it (``scan``: the gateway's own scan)."""

    @property
    def code(self) -> str:
        """The usual three-digit label, e.g. ``"545"``."""
        return f"{self.recency}{self.frequency}{self.monetary}"

    @property
    def monetary_value(self) -> float:
        """The monetary measure the score ranks: total or average spend in the window."""
        return self.average_spend if self.monetary_measure == "average" else self.total_spend


def kept_amount(order: Order) -> float:
    """The total less its refund (capped at the total); a returned order without one: 0."""
    refunded = order.refunded
    if refunded is None:
        return 0.0 if (order.status or "").lower() == "returned" else order.total
    return order.total - min(max(refunded, 0.0), order.total)


def is_purchase(order: Order, now: datetime) -> bool:
    return (
        (order.status or "").lower() not in NOT_PLACED
        and order.total > 0
        and order.placed_at <= now
    )


@dataclass(slots=True, frozen=True)
class CountedOrders:
    """What the window holds for one customer, before any population is asked."""

    recency_days: int | None
    order_count: int
    total_spend: float
    ignored: int
    ever_ordered: bool
    tenure_days: int | None = None
    """Days since the first purchase in the window."""

    @property
    def average_spend(self) -> float:
        return round(self.total_spend / self.order_count, 2) if self.order_count else 0.0


def count_orders(orders: Iterable[Order], now: datetime, window_days: int | None) -> CountedOrders:
    """The customer's purchases in the window ending ``now`` (all history for None)."""
    start = now - timedelta(days=window_days) if window_days is not None else None
    last_ever: datetime | None = None
    last: datetime | None = None
    first: datetime | None = None
    count, spend, ignored = 0, 0.0, 0
    for order in orders:
        status = (order.status or "").lower()
        if status in NOT_PLACED:
            continue
        if not is_purchase(order, now):
            ignored += 1
            continue
        last_ever = order.placed_at if last_ever is None else max(last_ever, order.placed_at)
        if start is not None and order.placed_at <= start:
            continue
        last = order.placed_at if last is None else max(last, order.placed_at)
        first = order.placed_at if first is None else min(first, order.placed_at)
        count += 1
        spend += kept_amount(order)
    latest = last or last_ever
    days = max(0, (now - latest).days) if latest is not None else None
    tenure = max(0, (now - first).days) if first is not None else None
    return CountedOrders(days, count, round(spend, 2), ignored, last_ever is not None, tenure)


def rfm_scores(
    orders: Iterable[Order],
    cut_points: RfmCutPoints | None,
    now: datetime,
    monetary: MonetaryMeasure = "total",
    snapshot: Population | Literal["build"] | None = "build",
) -> RfmScore:
    """Score one customer's orders against the population the order system describes.

    ``snapshot``: the population snapshot to score with (the request's, possibly
    older than ``cut_points``: its as-of labels the scores); ``"build"`` makes the
    answer's own. Without any population data every score is the middle (3), never
    invented.
    """
    if isinstance(snapshot, str):  # "build"
        population = population_of(cut_points) if cut_points is not None else None
    else:
        population = snapshot
    window = population.window_days if population is not None else None
    counted = count_orders(orders, now, window)
    as_of = cut_points.as_of if cut_points is not None else None
    if population is not None:
        as_of = population.as_of
    value = counted.average_spend if monetary == "average" else counted.total_spend
    scores = (1, 1, 1)
    if counted.order_count == 0 or counted.recency_days is None:
        pass
    elif population is not None:
        scores = (
            recency_score(counted.recency_days, population.recency_days),
            higher_is_better_score(counted.order_count, population.frequency),
            higher_is_better_score(value, population.monetary(monetary)),
        )
    elif cut_points is not None:
        scores = (
            6 - _quintile(counted.recency_days, cut_points.recency_days),
            _quintile(counted.order_count, cut_points.frequency),
            _quintile(counted.total_spend, cut_points.monetary),
        )
    else:
        scores, as_of = (3, 3, 3), None
    return RfmScore(
        *scores,
        recency_days=counted.recency_days,
        order_count=counted.order_count,
        total_spend=counted.total_spend,
        population_as_of=as_of,
        average_spend=counted.average_spend,
        monetary_measure=monetary,
        window_days=window,
        population_size=population.size if population is not None else None,
        ignored_orders=counted.ignored,
        ever_ordered=counted.ever_ordered,
        population_source=cut_points.source if as_of is not None and cut_points else None,
    )


def _quintile(value: float, cuts: tuple[float, ...]) -> int:
    """1 for the lowest fifth … 5 for the highest; values on a cut point fall below it."""
    return min(5, 1 + bisect_left(cuts, value))
