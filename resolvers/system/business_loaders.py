"""Named loaders of whole populations: every campaign, lead, opportunity, survey answer, report row.

What the CMO's and CEO's views read. Each loads one kind of record from every
source that serves it with an ``all`` lookup, once per request, and says how
old the answer is: the oldest ``as_of`` of the report rows, or, for plain
records, when they were read (a stale copy served while its source was down
is dated by when it was stored).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from resolvers.system.business_records import (
    Campaign,
    CampaignCost,
    Lead,
    LeadMonth,
    NpsMonth,
    Opportunity,
    PipelineStage,
    RevenueMonth,
    SurveyResponse,
    WonMonth,
)
from resolvers.system.loaders import SystemLoaders

ALL = "all"
Record = TypeVar("Record")


class NoSourceServes(LookupError):
    """No configured source serves this kind of record with an ``all`` lookup.

    A figure read from nothing would be zeros (no revenue, no deals) that look like
    a bad month; the figure is an error of its own instead, naming what is missing.
    """

    def __init__(self, serves: str) -> None:
        super().__init__(
            f"no configured source serves '{serves}' with an 'all' lookup, so this "
            "figure cannot be read"
        )
        self.serves = serves

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": "FIGURE_UNAVAILABLE", "serves": self.serves}


@dataclass(slots=True, frozen=True)
class Population(Generic[Record]):
    """Every record of one kind the sources hold, and the moment they describe."""

    records: list[Record]
    as_of: datetime


class PopulationLoader(Generic[Record]):
    """All records of kind ``serves``; one read per request however many sections ask."""

    __slots__ = ("_known", "_loaders", "_serves")

    def __init__(self, loaders: SystemLoaders, serves: str) -> None:
        self._loaders = loaders
        self._serves = serves
        self._known: Population[Record] | None = None

    @property
    def served(self) -> bool:
        """Whether any configured source serves this kind with an ``all`` lookup."""
        return bool(self._loaders.runtime.routes_for(self._serves, ALL))

    async def load(self) -> Population[Record]:
        """The records and their as-of time; a ``SourceError`` when a source failed,
        ``NoSourceServes`` when none is configured to."""
        if self._known is not None:
            return self._known
        if not self.served:
            raise NoSourceServes(self._serves)
        read_at = time.time()
        records: list[Any] = await self._loaders.load(self._serves, ALL, ALL)
        as_of = min(
            (r.as_of for r in records if isinstance(getattr(r, "as_of", None), datetime)),
            default=None,
        )
        if as_of is None:
            as_of = datetime.fromtimestamp(self._read_at(read_at), UTC)
        self._known = Population(records, as_of)
        return self._known

    def _read_at(self, read_at: float) -> float:
        """When the answer was read: now, or when a stale copy of it was stored."""
        sources = {
            route.source: route.entity
            for route in self._loaders.runtime.routes_for(self._serves, ALL)
        }
        stored = [
            note.stored_at
            for note in self._loaders.stale
            if sources.get(note.source) == note.entity
        ]
        return min(stored, default=read_at)


@dataclass(slots=True, frozen=True)
class BusinessLoaders:
    """One request's population loaders, for the views of the business (CMO, CEO)."""

    campaigns: PopulationLoader[Campaign]
    campaign_costs: PopulationLoader[CampaignCost]
    leads: PopulationLoader[Lead]
    leads_by_month: PopulationLoader[LeadMonth]
    opportunities: PopulationLoader[Opportunity]
    pipeline_by_stage: PopulationLoader[PipelineStage]
    won_by_month: PopulationLoader[WonMonth]
    survey_responses: PopulationLoader[SurveyResponse]
    nps_by_month: PopulationLoader[NpsMonth]
    revenue_by_month: PopulationLoader[RevenueMonth]

    @classmethod
    def over(cls, loaders: SystemLoaders) -> BusinessLoaders:
        return cls(*(PopulationLoader(loaders, name) for name in cls.__dataclass_fields__))
