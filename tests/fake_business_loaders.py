"""Stand-in population loaders for the CMO's and CEO's figures: served or not, reads counted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from resolvers.system.business_loaders import BusinessLoaders, NoSourceServes, Population

READ_AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
"""When a stand-in's records were read (the as-of of plain records)."""


class StandInLoader:
    """One kind's population loader: whether a source serves it, its records, how often read."""

    def __init__(
        self, records: list[Any], *, served: bool = True, as_of: datetime = READ_AT
    ) -> None:
        self.records = records
        self.served = served
        self.as_of = as_of
        self.reads = 0
        self.failure: Exception | None = None

    async def load(self) -> Population[Any]:
        self.reads += 1
        if not self.served:  # as the real loader: no figure read from nothing
            raise NoSourceServes("stand-in")
        if self.failure is not None:
            raise self.failure
        return Population(self.records, self.as_of)


def business(**loaders: StandInLoader) -> BusinessLoaders:
    """A request's business loaders: every kind unserved (``NoSourceServes``) unless given."""
    kinds = {name: StandInLoader([], served=False) for name in BusinessLoaders.__dataclass_fields__}
    kinds.update(loaders)
    return BusinessLoaders(**cast("dict[str, Any]", kinds))


def reads(loaders: BusinessLoaders) -> dict[str, int]:
    """The kinds read, and how often."""
    return {
        name: count
        for name in BusinessLoaders.__dataclass_fields__
        if (count := cast(StandInLoader, getattr(loaders, name)).reads)
    }
