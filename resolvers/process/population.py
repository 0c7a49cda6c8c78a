"""The customer population as the order system describes it: anonymous R/F/M value rows.

A snapshot is built once per population answer (its as-of time and size) and
kept for the process, so the request path ranks one customer with three binary
searches whatever the population's size. It holds no ids: row i of each column
is one customer, now and ``compare_days`` earlier (``prior``), which is what
segment sizes and the movement between segments are counted from.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from resolvers.process.segments import DEFAULT_RULES, SegmentRule, segment_for
from resolvers.system.records import RfmCutPoints

MonetaryMeasure = Literal["total", "average"]
KEPT_SNAPSHOTS = 4


@dataclass(slots=True, frozen=True)
class ValueRow:
    """One anonymous customer at one moment; frequency 0: no purchase in that window."""

    recency_days: float
    frequency: float
    monetary: float
    tenure_days: float

    @property
    def average(self) -> float:
        return round(self.monetary / self.frequency, 2) if self.frequency else 0.0


@dataclass(slots=True, frozen=True)
class RowScores:
    recency: int
    frequency: int
    monetary: int
    order_count: int
    ever_ordered: bool = True


@dataclass(slots=True, frozen=True)
class Ranking:
    """Sorted columns of the customers with a purchase in the window: what the rank rule reads."""

    recency_days: tuple[float, ...]
    frequency: tuple[float, ...]
    monetary_total: tuple[float, ...]
    monetary_average: tuple[float, ...]

    @classmethod
    def of(cls, rows: list[ValueRow]) -> Ranking:
        buying = [row for row in rows if row.frequency > 0]
        return cls(
            tuple(sorted(row.recency_days for row in buying)),
            tuple(sorted(row.frequency for row in buying)),
            tuple(sorted(row.monetary for row in buying)),
            tuple(sorted(row.average for row in buying)),
        )

    def monetary(self, measure: MonetaryMeasure) -> tuple[float, ...]:
        return self.monetary_average if measure == "average" else self.monetary_total

    def scores(self, row: ValueRow, measure: MonetaryMeasure) -> RowScores:
        if row.frequency <= 0:
            return RowScores(1, 1, 1, 0)
        value = row.average if measure == "average" else row.monetary
        return RowScores(
            recency_score(row.recency_days, self.recency_days),
            higher_is_better_score(row.frequency, self.frequency),
            higher_is_better_score(value, self.monetary(measure)),
            int(row.frequency),
        )


@dataclass(slots=True, frozen=True)
class SegmentSize:
    segment: str
    customers: int
    share: float
    """Of the customers with a purchase in the window."""


@dataclass(slots=True, frozen=True)
class SegmentMove:
    from_segment: str
    to_segment: str
    customers: int


@dataclass(slots=True, frozen=True)
class Population:
    source: str
    as_of: datetime
    window_days: int
    compare_days: int
    rows: tuple[ValueRow, ...]
    prior_rows: tuple[ValueRow, ...]
    ranking: Ranking
    prior_ranking: Ranking
    _sizes: dict[tuple[object, ...], list[SegmentSize]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _moves: dict[tuple[object, ...], list[SegmentMove]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def size(self) -> int:
        """N: customers with at least one purchase in the window."""
        return len(self.ranking.frequency)

    @property
    def recency_days(self) -> tuple[float, ...]:
        return self.ranking.recency_days

    @property
    def frequency(self) -> tuple[float, ...]:
        return self.ranking.frequency

    def monetary(self, measure: MonetaryMeasure) -> tuple[float, ...]:
        return self.ranking.monetary(measure)


def rank_score(worse: int, population: int) -> int:
    """The rank rule: 1 + floor(5 · S / N), kept within 1..5 (N = 0 scores 1)."""
    if population <= 0:
        return 1
    return max(1, min(5, 1 + (5 * worse) // population))


def recency_score(days: float, sorted_days: tuple[float, ...]) -> int:
    """S = customers whose last purchase is longer ago than ``days``."""
    return rank_score(len(sorted_days) - bisect_right(sorted_days, days), len(sorted_days))


def higher_is_better_score(value: float, sorted_values: tuple[float, ...]) -> int:
    """S = customers with strictly less (orders, spend)."""
    return rank_score(bisect_left(sorted_values, value), len(sorted_values))


_SNAPSHOTS: dict[tuple[object, ...], Population] = {}


def population_of(record: RfmCutPoints) -> Population | None:
    """The snapshot of a population answer (built once per as-of); None without value columns."""
    if record.window_days is None or not record.frequency_values:
        return None
    key = (record.source, record.as_of, record.window_days, len(record.frequency_values))
    known = _SNAPSHOTS.get(key)
    if known is None:
        known = build_population(record)
        if len(_SNAPSHOTS) >= KEPT_SNAPSHOTS:
            _SNAPSHOTS.pop(next(iter(_SNAPSHOTS)))
        _SNAPSHOTS[key] = known
    return known


def build_population(record: RfmCutPoints) -> Population:
    """Rows from the answer's columns; columns of unequal length are cut to the shortest."""
    rows = _rows(
        record.recency_days_values,
        record.frequency_values,
        record.monetary_values,
        record.tenure_days_values,
    )
    prior = _rows(
        record.prior_recency_days_values,
        record.prior_frequency_values,
        record.prior_monetary_values,
        record.prior_tenure_days_values,
    )
    if len(prior) != len(rows):  # no prior columns: nobody is known to have bought then
        prior = tuple(ValueRow(-1.0, 0.0, 0.0, -1.0) for _ in rows)
    assert record.window_days is not None
    return Population(
        source=record.source,
        as_of=record.as_of,
        window_days=record.window_days,
        compare_days=record.compare_days or 0,
        rows=rows,
        prior_rows=prior,
        ranking=Ranking.of(list(rows)),
        prior_ranking=Ranking.of(list(prior)),
    )


def _rows(*columns: tuple[float, ...]) -> tuple[ValueRow, ...]:
    recency, frequency, monetary, tenure = columns
    if not tenure:
        tenure = tuple(-1.0 for _ in frequency)
    return tuple(
        ValueRow(r, f, m, t)
        for r, f, m, t in zip(recency, frequency, monetary, tenure, strict=False)
    )


def segment_sizes(
    population: Population,
    rules: tuple[SegmentRule, ...] = DEFAULT_RULES,
    measure: MonetaryMeasure = "total",
) -> list[SegmentSize]:
    """Customers per segment now (largest first), lapsed customers included; cached per table."""
    key = (rules, measure)
    known = population._sizes.get(key)
    if known is None:
        counts = Counter(
            segment_for(population.ranking.scores(row, measure), rules).name
            for row in population.rows
        )
        size = max(1, population.size)
        known = [
            SegmentSize(name, count, round(count / size, 4)) for name, count in counts.most_common()
        ]
        population._sizes[key] = known
    return list(known)


def segment_movement(
    population: Population,
    rules: tuple[SegmentRule, ...] = DEFAULT_RULES,
    measure: MonetaryMeasure = "total",
) -> list[SegmentMove]:
    """How many customers went from each segment ``compare_days`` ago to each one now.

    Each moment is ranked against its own population; a customer without a
    purchase in a window is in the table's ``lapsed`` segment then. Largest first.
    """
    key = (rules, measure)
    known = population._moves.get(key)
    if known is None:
        moves = Counter(
            (
                segment_for(population.prior_ranking.scores(before, measure), rules).name,
                segment_for(population.ranking.scores(now, measure), rules).name,
            )
            for now, before in zip(population.rows, population.prior_rows, strict=False)
        )
        known = [SegmentMove(a, b, n) for (a, b), n in moves.most_common()]
        population._moves[key] = known
    return list(known)


def chosen_population(
    aggregate: RfmCutPoints | None, scanned: RfmCutPoints | None, mode: str
) -> RfmCutPoints | None:
    """Which population scores a request: the source's aggregate, or the gateway's own scan.

    ``auto`` takes the aggregate when it has value columns, the scan otherwise; ``always``
    takes the scan when there is one; ``never`` only the aggregate.
    """
    if mode == "never" or scanned is None:
        return aggregate
    if mode == "always":
        return scanned
    has_columns = aggregate is not None and population_of(aggregate) is not None
    return aggregate if has_columns else scanned
