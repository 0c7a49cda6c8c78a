"""What customer intelligence keeps per gateway process: its policy, its outcomes, its models.

One per gateway process (made at start by ``intelligence_from``, handed to every
request's context): the policy (``C360_INTELLIGENCE_FILE``), the store of
recorded offer outcomes (the gateway's own data, opened by the gateway), the
lifetime-value models and the population, both kept fresh in the background
(``intelligence_upkeep.py``). A context made without one (a test's) gets the
defaults and no store.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from resolvers.process.clv import ClvModels
from resolvers.process.policy import (
    DEFAULT_POLICY,
    IntelligencePolicy,
    PolicyError,
    policy_from_yaml,
)
from resolvers.process.population_snapshots import PopulationSnapshots
from resolvers.system.intelligence import outcome_store, policy_text
from resolvers.system.records import RfmCutPoints
from sources.errors import ConfigError

OutcomeTally = tuple[str, str, int, int]
"""(segment, offer id, accepted, declined), as the store counts them."""


class OfferOutcomes(Protocol):
    """What scoring asks of the offer-outcome store (the System layer makes the real one)."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def record(
        self, customer_id: str, offer_id: str, segment: str, outcome: str, at: datetime
    ) -> None: ...

    async def tallies(self, segments: list[str]) -> list[OutcomeTally]: ...

    def prefetch_tallies(self) -> asyncio.Task[list[OutcomeTally]]: ...


@dataclass(slots=True)
class Intelligence:
    policy: IntelligencePolicy = DEFAULT_POLICY
    outcomes: OfferOutcomes | None = None
    clv_models: ClvModels = field(default_factory=ClvModels)
    scanned: RfmCutPoints | None = None
    """The gateway's own population scan, when one ran (``scanned_population.py``)."""
    scan_error: str | None = None
    snapshots: PopulationSnapshots = field(default_factory=PopulationSnapshots)
    """Population snapshots, built in a thread (never on a request)."""


def load_policy(path: Path | None) -> IntelligencePolicy:
    """The intelligence config file's policy (defaults without one); a ``ConfigError``
    naming the file and the key when it is bad."""
    if path is None:
        return DEFAULT_POLICY
    try:
        return policy_from_yaml(policy_text(path), f"C360_INTELLIGENCE_FILE {path}")
    except PolicyError as error:
        raise ConfigError(str(error)) from None


def intelligence_from(policy_file: Path | None, state_dsn: str | None) -> Intelligence:
    """The gateway's intelligence: its policy and its outcome store (not opened yet)."""
    return Intelligence(policy=load_policy(policy_file), outcomes=outcome_store(state_dsn))
