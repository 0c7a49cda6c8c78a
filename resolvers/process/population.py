"""The customer population as the order system describes it: anonymous R/F/M value rows.

A snapshot is built once per population answer (its as-of time and size) and
kept for the process, so the request path ranks one customer with three binary
searches whatever the population's size. It holds no ids: entry i of each column
is one customer, now and ``compare_days`` earlier (``prior``), which is what
segment sizes and the movement between segments are counted from. Columns are
compact arrays of floats, not an object per customer, so a large population
adds nothing for the garbage collector to walk on every collection.

Requests never build one: ``population_in_hand`` gives them the answer's snapshot
or the newest one in hand and asks for the new one to be built elsewhere (the
intelligence runtime builds it in a thread, ``population_snapshots.py``).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
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
class Columns:
    """One moment's values, one entry per anonymous customer (compact arrays: no object per row).

    Frequency 0 (and recency -1): no purchase in that moment's window.
    """

    recency_days: array[float]
    frequency: array[float]
    monetary: array[float]
    tenure_days: array[float]

    def __len__(self) -> int:
        return len(self.frequency)

    def rows(self) -> Iterator[ValueRow]:
        for values in zip(
            self.recency_days, self.frequency, self.monetary, self.tenure_days, strict=True
        ):
            yield ValueRow(*values)


@dataclass(slots=True, frozen=True)
class Ranking:
    """Sorted columns of the customers with a purchase in the window: what the rank rule reads."""

    recency_days: array[float]
    frequency: array[float]
    monetary_total: array[float]
    monetary_average: array[float]

    @classmethod
    def of(cls, columns: Columns) -> Ranking:
        buying = [i for i, f in enumerate(columns.frequency) if f > 0]
        r, f, m = columns.recency_days, columns.frequency, columns.monetary
        return cls(
            array("d", sorted(r[i] for i in buying)),
            array("d", sorted(f[i] for i in buying)),
            array("d", sorted(m[i] for i in buying)),
            array("d", sorted(round(m[i] / f[i], 2) for i in buying)),
        )

    def monetary(self, measure: MonetaryMeasure) -> array[float]:
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
    now: Columns
    prior: Columns
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
    def rows(self) -> Iterator[ValueRow]:
        """Each customer now, one at a time (made on demand: none is kept)."""
        return self.now.rows()

    @property
    def prior_rows(self) -> Iterator[ValueRow]:
        return self.prior.rows()

    @property
    def recency_days(self) -> array[float]:
        return self.ranking.recency_days

    @property
    def frequency(self) -> array[float]:
        return self.ranking.frequency

    def monetary(self, measure: MonetaryMeasure) -> array[float]:
        return self.ranking.monetary(measure)


def rank_score(worse: int, population: int) -> int:
    """The rank rule: 1 + floor(5 · S / N), kept within 1..5 (N = 0 scores 1)."""
    if population <= 0:
        return 1
    return max(1, min(5, 1 + (5 * worse) // population))


def recency_score(days: float, sorted_days: Sequence[float]) -> int:
    """S = customers whose last purchase is longer ago than ``days``."""
    return rank_score(len(sorted_days) - bisect_right(sorted_days, days), len(sorted_days))


def higher_is_better_score(value: float, sorted_values: Sequence[float]) -> int:
    """S = customers with strictly less (orders, spend)."""
    return rank_score(bisect_left(sorted_values, value), len(sorted_values))


_SNAPSHOTS: dict[tuple[object, ...], Population] = {}


def population_of(record: RfmCutPoints) -> Population | None:
    """The snapshot of a population answer (built once per as-of); None without value columns."""
    if not has_population(record):
        return None
    key = (record.source, record.as_of, record.window_days, len(record.frequency_values))
    known = _SNAPSHOTS.get(key)
    if known is None:
        known = build_population(record)
        if len(_SNAPSHOTS) >= KEPT_SNAPSHOTS:
            _SNAPSHOTS.pop(next(iter(_SNAPSHOTS)), None)
        _SNAPSHOTS[key] = known
    return known


def has_population(record: RfmCutPoints) -> bool:
    """Whether the answer carries value columns (a snapshot can be made of it)."""
    return record.window_days is not None and bool(record.frequency_values)


def population_in_hand(
    record: RfmCutPoints, on_newer: Callable[[RfmCutPoints], object]
) -> Population | None:
    """The snapshot a request scores with, never built here.

    The answer's own snapshot when it is built; otherwise the newest one built for
    the same source and window (its ``as_of`` says which), after ``on_newer(record)``
    has been told to have the answer's built elsewhere. None: no snapshot of that
    population exists yet (or the answer has no value columns).
    """
    if not has_population(record):
        return None
    key = (record.source, record.as_of, record.window_days, len(record.frequency_values))
    known = _SNAPSHOTS.get(key)
    if known is not None:
        return known
    in_hand = [
        snapshot
        for snapshot in list(_SNAPSHOTS.values())
        if snapshot.source == record.source and snapshot.window_days == record.window_days
    ]
    if not in_hand:
        return None
    on_newer(record)
    return max(in_hand, key=lambda snapshot: snapshot.as_of)


def build_population(record: RfmCutPoints) -> Population:
    """Columns from the answer's; columns of unequal length are cut to the shortest."""
    now = _columns(
        record.recency_days_values,
        record.frequency_values,
        record.monetary_values,
        record.tenure_days_values,
    )
    prior = _columns(
        record.prior_recency_days_values,
        record.prior_frequency_values,
        record.prior_monetary_values,
        record.prior_tenure_days_values,
    )
    if len(prior) != len(now):  # no prior columns: nobody is known to have bought then
        none = len(now)
        prior = Columns(
            array("d", [-1.0]) * none,
            array("d", [0.0]) * none,
            array("d", [0.0]) * none,
            array("d", [-1.0]) * none,
        )
    assert record.window_days is not None
    return Population(
        source=record.source,
        as_of=record.as_of,
        window_days=record.window_days,
        compare_days=record.compare_days or 0,
        now=now,
        prior=prior,
        ranking=Ranking.of(now),
        prior_ranking=Ranking.of(prior),
    )


def _columns(*values: tuple[float, ...]) -> Columns:
    recency, frequency, monetary, tenure = values
    size = min(len(recency), len(frequency), len(monetary))
    if len(tenure) < size:
        tenure = tuple(-1.0 for _ in range(size))
    return Columns(
        array("d", recency[:size]),
        array("d", frequency[:size]),
        array("d", monetary[:size]),
        array("d", tenure[:size]),
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
            for now, before in zip(population.rows, population.prior_rows, strict=True)
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
    has_columns = aggregate is not None and has_population(aggregate)
    return aggregate if has_columns else scanned
