"""Keeps customer intelligence current in the background: the population scan, the CLV fit.

The gateway's lifespan starts ``keep_intelligence_fresh`` once per process (its
one entry point here). The System layer fetches (the population answer, the
scan's orders); this decides when, sums, and fits in a thread. Neither ever
runs on a request.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from resolvers.process.clv import fit_clv_model, history_of
from resolvers.process.intelligence import Intelligence
from resolvers.process.population import chosen_population, has_population
from resolvers.process.scanned_population import scanned_population
from resolvers.system.intelligence import population_answer
from resolvers.system.population_scan import can_scan, scanned_orders
from resolvers.system.runtime import SourceRuntime

log = logging.getLogger(__name__)


async def refit_clv(runtime: SourceRuntime, intelligence: Intelligence, timeout_s: float) -> bool:
    """Fit the lifetime-value models on the order system's population, off the event loop.

    The population comes through the loaders (so the source config, its cache and its
    breaker apply); the fit runs in a thread. False when there is no population to fit.
    """
    deadline = asyncio.get_running_loop().time() + timeout_s
    aggregate = await population_answer(runtime, deadline)
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
    try:
        aggregate = await population_answer(runtime, asyncio.get_running_loop().time() + 30.0)
    except Exception:  # a sick aggregate endpoint: the scan stands in for it
        return True
    return aggregate is None or not has_population(aggregate)


async def refresh_population(runtime: SourceRuntime, intelligence: Intelligence) -> bool:
    """Scan once when the policy wants a scan; a failed scan keeps the previous one."""
    if not await needs_scan(runtime, intelligence):
        return False
    scan = intelligence.policy.population_scan
    deadline = asyncio.get_running_loop().time() + scan.timeout_s
    try:
        batches = scanned_orders(runtime, scan.max_customers, scan.batch, deadline)
        intelligence.scanned = await scanned_population(batches, datetime.now(UTC), scan)
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
