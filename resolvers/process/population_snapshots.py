"""Population snapshots built off the request path: one thread per new as-of, shared by requests.

Building a snapshot is pure work on an answer already fetched (``population_of``),
done in a thread so the event loop keeps serving; this module only decides when
to build and which snapshot a request scores with meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from resolvers.process.population import (
    Population,
    has_population,
    population_in_hand,
    population_of,
)
from resolvers.system.records import RfmCutPoints

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PopulationSnapshots:
    """Builds population snapshots off the request path, one thread per new as-of.

    A request meeting a newer as-of than the snapshot in hand scores with the one in
    hand (its ``populationAsOf`` says so) and asks for the new one here: one build,
    however many requests ask, in a thread held by this runtime; the next request
    after it finishes scores with the new one. Only when no snapshot of that
    population exists at all does a request wait, for that same single build.
    """

    builds: dict[tuple[object, ...], asyncio.Task[Population | None]] = field(default_factory=dict)
    started: int = 0
    """Builds started (each a thread), for tests and the bench."""
    last_error: str | None = None

    async def snapshot(self, record: RfmCutPoints | None) -> Population | None:
        """The snapshot a request scores ``record``'s customers with, never built here."""
        if record is None or not has_population(record):
            return None
        in_hand = population_in_hand(record, self.build_later)
        if in_hand is not None:
            return in_hand
        return await asyncio.shield(self.build_later(record))

    def build_later(self, record: RfmCutPoints) -> asyncio.Task[Population | None]:
        """The (single) background build of ``record``'s snapshot, started when not yet."""
        key = (record.source, record.as_of, record.window_days, len(record.frequency_values))
        task = self.builds.get(key)
        if task is None:
            self.started += 1
            task = asyncio.get_running_loop().create_task(self._build(record))
            self.builds[key] = task
            task.add_done_callback(lambda _: self.builds.pop(key, None))
        return task

    async def _build(self, record: RfmCutPoints) -> Population | None:
        try:
            return await asyncio.to_thread(population_of, record)
        except Exception as error:  # bad columns: the snapshot in hand keeps scoring
            self.last_error = f"{type(error).__name__}: {error}"
            log.warning("population snapshot failed: %s", self.last_error)
            return None
