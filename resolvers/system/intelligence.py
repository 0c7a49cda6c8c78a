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
from resolvers.process.population import (
    Population,
    chosen_population,
    has_population,
    population_in_hand,
    population_of,
)
from resolvers.system.by_customer import newest_cut_points
from resolvers.system.loaders import SystemLoaders
from resolvers.system.population_scan import can_scan, scan_population
from resolvers.system.records import RfmCutPoints
from resolvers.system.runtime import SourceRuntime
from sources.errors import ConfigError
from sources.state_store import OfferOutcomeStore, default_dsn

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


@dataclass(slots=True)
class Intelligence:
    policy: IntelligencePolicy = DEFAULT_POLICY
    outcomes: OfferOutcomeStore | None = None
    clv_models: ClvModels = field(default_factory=ClvModels)
    scanned: RfmCutPoints | None = None
    """The gateway's own population scan, when one ran (``population_scan.py``)."""
    scan_error: str | None = None
    snapshots: PopulationSnapshots = field(default_factory=PopulationSnapshots)
    """Population snapshots, built in a thread (never on a request)."""


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
    population = await intelligence.snapshots.snapshot(record)
    if population is not None and record is not None and population.as_of != record.as_of:
        # The fit waits for the newer as-of's snapshot (requests do not).
        population = await asyncio.shield(intelligence.snapshots.build_later(record))
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
    return aggregate is None or not has_population(aggregate)


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
