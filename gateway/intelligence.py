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
from resolvers.process.intelligence import Intelligence, intelligence_from
from resolvers.process.intelligence_upkeep import keep_intelligence_fresh
from resolvers.system.runtime import SourceRuntime


def new_intelligence(settings: Settings) -> Intelligence:
    """Policy from ``C360_INTELLIGENCE_FILE``, outcomes in ``C360_STATE_DSN`` (or the default
    SQLite file); a ``ConfigError`` naming the file and key when the policy is bad."""
    return intelligence_from(settings.intelligence_file, settings.state_dsn)


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
