"""The CMO's segment figures: customers per segment now, and who moved between segments.

Read from the order system's anonymous R/F/M population (its value columns), with
the same segment rules and monetary measure as each customer's own segment (the
intelligence policy), so the sizes add up to what the agent sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resolvers.process.dated_figure import Figure
from resolvers.process.population import (
    MonetaryMeasure,
    SegmentMove,
    SegmentSize,
    population_of,
    segment_movement,
    segment_sizes,
)
from resolvers.process.population_snapshots import PopulationSnapshots
from resolvers.process.segments import SegmentRule
from resolvers.system.by_customer import RfmCutPointsLoader


class PopulationUnavailable(LookupError):
    """No order system reports its customer population (value columns), so no segment sizes."""

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": "POPULATION_UNAVAILABLE"}


@dataclass(slots=True, frozen=True)
class SegmentFigures:
    """Customers per segment now, and how many moved from each segment to each other one."""

    customers: int
    compare_days: int
    sizes: list[SegmentSize]
    movements: list[SegmentMove]


async def segment_figures_of(
    population: RfmCutPointsLoader,
    rules: tuple[SegmentRule, ...],
    measure: MonetaryMeasure,
    snapshots: PopulationSnapshots | None = None,
) -> Figure[SegmentFigures]:
    """Segment sizes and movement, dated by the population snapshot they were counted from.

    With ``snapshots``, the snapshot in hand (a newer one is built off the request
    path, never on it); without, the population of the answer read now.
    ``PopulationUnavailable`` when no order system reports one.
    """
    record = await population.load()
    if snapshots is not None:
        snapshot = await snapshots.snapshot(record)
    else:
        snapshot = population_of(record) if record is not None else None
    if snapshot is None:
        raise PopulationUnavailable(
            "no order system reports its customer population (the RFM value columns)"
        )
    figures = SegmentFigures(
        snapshot.size,
        snapshot.compare_days,
        segment_sizes(snapshot, rules, measure),
        segment_movement(snapshot, rules, measure),
    )
    return Figure(figures, snapshot.as_of)
