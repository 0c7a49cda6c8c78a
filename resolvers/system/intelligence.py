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

from resolvers.process.clv import ClvModels, fit_clv_model, history_of
from resolvers.process.policy import DEFAULT_POLICY, IntelligencePolicy
from resolvers.process.population import population_of
from resolvers.system.by_customer import newest_cut_points
from resolvers.system.loaders import SystemLoaders
from resolvers.system.runtime import SourceRuntime
from sources.state_store import OfferOutcomeStore

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Intelligence:
    policy: IntelligencePolicy = DEFAULT_POLICY
    outcomes: OfferOutcomeStore | None = None
    clv_models: ClvModels = field(default_factory=ClvModels)


async def refit_clv(runtime: SourceRuntime, intelligence: Intelligence, timeout_s: float) -> bool:
    """Fit the lifetime-value models on the order system's population, off the event loop.

    The population comes through the loaders (so the source config, its cache and its
    breaker apply); the fit runs in a thread. False when there is no population to fit.
    """
    deadline = asyncio.get_running_loop().time() + timeout_s
    loaders = SystemLoaders(runtime, deadline)
    record = newest_cut_points(await loaders.load("rfm_cutpoints", "all", "all"))
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


async def keep_clv_fitted(runtime: SourceRuntime, intelligence: Intelligence) -> None:
    """The background loop the gateway starts: fit now, then every ``clv.refit_every_s``.

    A failed fit keeps the previous model (its as-of time says how old it is) and is
    retried after a minute; it never reaches a request.
    """
    every = intelligence.policy.clv.refit_every_s
    while True:
        try:
            fitted = await refit_clv(runtime, intelligence, timeout_s=30.0)
            intelligence.clv_models.last_error = None if fitted else "no population to fit"
            pause = every if fitted else 60.0
        except Exception as error:  # a sick source or a model that does not converge
            intelligence.clv_models.last_error = f"{type(error).__name__}: {error}"
            log.warning("lifetime-value fit failed: %s", intelligence.clv_models.last_error)
            pause = 60.0
        await asyncio.sleep(pause)
