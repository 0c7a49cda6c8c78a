"""Starts customer intelligence with the gateway: its policy, its state store, its model fits.

The policy file and the store are opened at start (a bad file or an unreachable
database stops the gateway with a message naming them); the population scan
(for order systems without an aggregate endpoint) and the lifetime-value fit run
as a background task of the lifespan, never on a request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway.settings import Settings
from resolvers.process.policy import DEFAULT_POLICY, IntelligencePolicy, policy_from_yaml
from resolvers.system.intelligence import Intelligence, keep_intelligence_fresh
from resolvers.system.runtime import SourceRuntime
from sources.state_store import OfferOutcomeStore, default_dsn


def load_policy(settings: Settings) -> IntelligencePolicy:
    path = settings.intelligence_file
    if path is None:
        return DEFAULT_POLICY
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SystemExit(f"C360_INTELLIGENCE_FILE {path}: cannot read it ({error})") from None
    return policy_from_yaml(text, str(path))


def new_intelligence(settings: Settings) -> Intelligence:
    store = OfferOutcomeStore(settings.state_dsn or default_dsn())
    return Intelligence(policy=load_policy(settings), outcomes=store)


@asynccontextmanager
async def running(
    intelligence: Intelligence, runtime: SourceRuntime, *, fit_models: bool = True
) -> AsyncIterator[None]:
    """The store open and the model fits going for as long as the gateway serves."""
    if intelligence.outcomes is not None:
        await intelligence.outcomes.start()
    task = (
        asyncio.create_task(keep_intelligence_fresh(runtime, intelligence)) if fit_models else None
    )
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if intelligence.outcomes is not None:
            await intelligence.outcomes.close()
