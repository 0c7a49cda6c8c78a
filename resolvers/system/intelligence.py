"""What customer intelligence needs beyond the loaders: its policy, its state, its models.

One per gateway process (made at start, handed to every request's context):
the policy (``C360_INTELLIGENCE_FILE``), the store of recorded offer outcomes
(the gateway's own data), and the lifetime-value models fitted in the
background. A context made without one (a test's) gets the defaults and no
store.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from resolvers.process.clv import ClvModels, fit_clv_model, history_of
from resolvers.process.policy import (
    DEFAULT_POLICY,
    IntelligencePolicy,
    PolicyError,
    policy_from_yaml,
)
from resolvers.process.population import chosen_population, population_of
from resolvers.system.by_customer import newest_cut_points
from resolvers.system.loaders import SystemLoaders
from resolvers.system.population_scan import can_scan, scan_population
from resolvers.system.records import RfmCutPoints
from resolvers.system.runtime import SourceRuntime
from sources.errors import ConfigError
from sources.state_store import OfferOutcomeStore, default_dsn

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Intelligence:
    policy: IntelligencePolicy = DEFAULT_POLICY
    outcomes: OfferOutcomeStore | None = None
    clv_models: ClvModels = field(default_factory=ClvModels)
    scanned: RfmCutPoints | None = None
    """The gateway's own population scan, when one ran (``population_scan.py``)."""
    scan_error: str | None = None


async def refit_clv(runtime: SourceRuntime, intelligence: Intelligence, timeout_s: float) -> bool:
    """Fit the lifetime-value models on the order system's population, off the event loop.

    The population comes through the loaders (so the source config, its cache and its
    breaker apply); the fit runs in a thread. False when there is no population to fit.
    """
    deadline = asyncio.get_running_loop().time() + timeout_s
    loaders = SystemLoaders(runtime, deadline)
    aggregate = newest_cut_points(await loaders.load("rfm_cutpoints", "all", "all"))
    mode = intelligence.policy.population_scan.mode
    record = chosen_population(aggregate, intelligence.scanned, mode)
    population = population_of(record) if record is not None else None
    if population is None:
        return False
    histories = [
        history_of(int(row.frequency), row.recency_days, row.tenure_days, row.monetary)
        for row in population.rows
        if row.frequency > 0
    ]
    model = await asyncio.to_thread(fit_clv_model, histories, population.as_of, datetime.now(UTC))
    if model is None:
        return False
    intelligence.clv_models.current = model
    intelligence.clv_models.fits += 1
    return True


async def needs_scan(runtime: SourceRuntime, intelligence: Intelligence) -> bool:
    """auto: only when no source answers the population with value columns."""
    mode = intelligence.policy.population_scan.mode
    if mode == "never" or not can_scan(runtime):
        return False
    if mode == "always":
        return True
    loaders = SystemLoaders(runtime, asyncio.get_running_loop().time() + 30.0)
    try:
        aggregate = newest_cut_points(await loaders.load("rfm_cutpoints", "all", "all"))
    except Exception:  # a sick aggregate endpoint: the scan stands in for it
        return True
    return aggregate is None or population_of(aggregate) is None


async def refresh_population(runtime: SourceRuntime, intelligence: Intelligence) -> bool:
    """Scan once when the policy wants a scan; a failed scan keeps the previous one."""
    if not await needs_scan(runtime, intelligence):
        return False
    scan = intelligence.policy.population_scan
    loop_time = asyncio.get_running_loop().time()
    try:
        intelligence.scanned = await scan_population(runtime, datetime.now(UTC), scan, loop_time)
        intelligence.scan_error = None
    except Exception as error:  # a sick source: keep what we had, say why
        intelligence.scan_error = f"{type(error).__name__}: {error}"
        log.warning("population scan failed: %s", intelligence.scan_error)
        return False
    return True


async def keep_intelligence_fresh(runtime: SourceRuntime, intelligence: Intelligence) -> None:
    """The gateway's background task: the population scan (when wanted), then the model fit.

    Each runs again when its period is over (``population_scan.every_s``,
    ``clv.refit_every_s``); neither ever runs on a request.
    """
    loop = asyncio.get_running_loop()
    await asyncio.sleep(intelligence.policy.clv.first_fit_after_s)
    next_scan = next_fit = loop.time()
    while True:
        now = loop.time()
        if now >= next_scan:
            scanned = await refresh_population(runtime, intelligence)
            next_scan = now + intelligence.policy.population_scan.every_s
            if scanned:
                next_fit = now  # a new population: fit on it
        if now >= next_fit:
            try:
                fitted = await refit_clv(runtime, intelligence, timeout_s=30.0)
                intelligence.clv_models.last_error = None if fitted else "no population to fit"
                next_fit = now + (intelligence.policy.clv.refit_every_s if fitted else 60.0)
            except Exception as error:  # a sick source or a model that does not converge
                intelligence.clv_models.last_error = f"{type(error).__name__}: {error}"
                log.warning("lifetime-value fit failed: %s", intelligence.clv_models.last_error)
                next_fit = now + 60.0
        await asyncio.sleep(max(1.0, min(next_scan, next_fit) - loop.time()))


def load_policy(path: Path | None) -> IntelligencePolicy:
    """The intelligence config file's policy (defaults without one)."""
    if path is None:
        return DEFAULT_POLICY
    try:
        return policy_from_yaml(path.read_text(encoding="utf-8"), f"C360_INTELLIGENCE_FILE {path}")
    except OSError as error:
        raise ConfigError(f"C360_INTELLIGENCE_FILE {path}: cannot read it ({error})") from None
    except PolicyError as error:
        raise ConfigError(str(error)) from None


def intelligence_from(policy_file: Path | None, state_dsn: str | None) -> Intelligence:
    """The gateway's intelligence: its policy and its outcome store (not opened yet)."""
    store = OfferOutcomeStore(state_dsn or default_dsn())
    return Intelligence(policy=load_policy(policy_file), outcomes=store)
