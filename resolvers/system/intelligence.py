"""The I/O customer intelligence needs beyond the per-request loaders, with no logic of its own.

Its policy file's text, its offer-outcome store (the gateway's own data, made here
and opened by the gateway's lifespan) and the order system's population answer
fetched through the loaders (so the source config, its cache and its breaker
apply). The Process layer (``resolvers/process/intelligence*.py``) decides what to
do with them.
"""

from __future__ import annotations

from pathlib import Path

from resolvers.system.by_customer import newest_cut_points
from resolvers.system.loaders import SystemLoaders
from resolvers.system.records import RfmCutPoints
from resolvers.system.runtime import SourceRuntime
from sources.errors import ConfigError
from sources.state_store import OfferOutcomeStore, default_dsn


def policy_text(path: Path) -> str:
    """The intelligence config file's text; a ``ConfigError`` naming it when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"C360_INTELLIGENCE_FILE {path}: cannot read it ({error})") from None


def outcome_store(state_dsn: str | None) -> OfferOutcomeStore:
    """The offer-outcome store at ``state_dsn`` (default: the SQLite file), not opened yet."""
    return OfferOutcomeStore(state_dsn or default_dsn())


async def population_answer(runtime: SourceRuntime, deadline: float) -> RfmCutPoints | None:
    """The newest population answer of the order systems (``rfm_cutpoints``), None without one."""
    loaders = SystemLoaders(runtime, deadline)
    return newest_cut_points(await loaders.load("rfm_cutpoints", "all", "all"))
