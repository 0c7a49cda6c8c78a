"""RFM: recency, frequency and monetary value, each scored 1–5 against the customer population.

Scores are quintiles against cut points the order system computes over its whole
population (never a copied customer table), labelled with their as-of time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from resolvers.system.records import Order, RfmCutPoints

NOT_SPENDING = frozenset({"cancelled", "returned"})
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

    @property
    def code(self) -> str:
        """The usual three-digit label, e.g. ``"545"``."""
        return f"{self.recency}{self.frequency}{self.monetary}"


def _quintile(value: float, cuts: tuple[float, ...]) -> int:
    """1 for the lowest fifth … 5 for the highest; values on a cut point fall below it."""
    return min(5, 1 + bisect_left(cuts, value))


def rfm_scores(orders: Iterable[Order], cut_points: RfmCutPoints | None, now: datetime) -> RfmScore:
    """Score one customer's orders; without cut points every score is the middle (3)."""
    placed = [o for o in orders if (o.status or "").lower() not in NOT_PLACED]
    spend = round(sum(o.total for o in placed if (o.status or "").lower() not in NOT_SPENDING), 2)
    if not placed:
        return RfmScore(1, 1, 1, None, 0, 0.0, cut_points.as_of if cut_points else None)
    recency_days = max(0, (now - max(o.placed_at for o in placed)).days)
    if cut_points is None:
        return RfmScore(3, 3, 3, recency_days, len(placed), spend, None)
    return RfmScore(
        recency=6 - _quintile(recency_days, cut_points.recency_days),
        frequency=_quintile(len(placed), cut_points.frequency),
        monetary=_quintile(spend, cut_points.monetary),
        recency_days=recency_days,
        order_count=len(placed),
        total_spend=spend,
        population_as_of=cut_points.as_of,
    )
