"""The little data the gateway owns itself: recorded outcomes of offers (accepted / declined).

SQLAlchemy async over SQLite by default (a file under the working directory,
so a restart keeps every outcome) or PostgreSQL (``C360_STATE_DSN``, e.g.
``postgresql+asyncpg://user@host/db``). Outcomes are appended, never updated;
acceptance rates are counted by the database in one query, shared by this
process's requests for a couple of seconds.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    case,
    func,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from sources.errors import SourceUnavailable

DEFAULT_STATE_FILE = Path("c360-state.db")
STORE = "state"

metadata = MetaData()
offer_outcomes = Table(
    "c360_offer_outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(128), nullable=False, index=True),
    Column("offer_id", String(64), nullable=False),
    Column("segment", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


Tally = tuple[str, str, int, int]
"""(segment, offer id, accepted, declined)."""


def default_dsn(directory: Path | None = None) -> str:
    path = (directory or Path.cwd()) / DEFAULT_STATE_FILE
    return f"sqlite+aiosqlite:///{path}"


class OfferOutcomeStore:
    """Append outcomes, count them per (segment, offer); created tables on ``start``."""

    def __init__(self, dsn: str, *, tallies_ttl_s: float = 2.0) -> None:
        self.dsn = dsn
        self._engine: AsyncEngine | None = None
        self._ttl = tallies_ttl_s
        self._tallies: asyncio.Task[list[Tally]] | None = None
        self._tallied_at = 0.0

    async def start(self) -> None:
        self._engine = create_async_engine(self.dsn, pool_pre_ping=True)
        try:
            async with self._engine.begin() as connection:
                await connection.run_sync(metadata.create_all)
        except (SQLAlchemyError, OSError) as error:
            raise SourceUnavailable(STORE, f"cannot open the state store: {error}") from None

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    def _ready(self) -> AsyncEngine:
        if self._engine is None:
            raise SourceUnavailable(STORE, "the state store is not started")
        return self._engine

    async def record(
        self, customer_id: str, offer_id: str, segment: str, outcome: str, at: datetime
    ) -> None:
        row = {
            "customer_id": customer_id,
            "offer_id": offer_id,
            "segment": segment,
            "outcome": outcome,
            "recorded_at": at,
        }
        try:
            async with self._ready().begin() as connection:
                await connection.execute(insert(offer_outcomes).values(row))
        except (SQLAlchemyError, OSError) as error:
            raise SourceUnavailable(STORE, f"cannot record the outcome: {error}") from None
        self._tallies = None  # this process reads its own outcome at once

    async def tallies(self, segments: list[str]) -> list[Tally]:
        """Accepted and declined counts per offer, for the segments asked.

        All segments' counts are read in one query and shared for ``tallies_ttl_s``
        by every request of this process (concurrent ones wait for the same read), so
        a list of 100 customers costs one query; another replica's outcomes show
        within the TTL.
        """
        known = self.prefetch_tallies()
        wanted = set(segments)
        return [t for t in await asyncio.shield(known) if t[0] in wanted]

    def prefetch_tallies(self) -> asyncio.Task[list[Tally]]:
        """Start reading the counts unless a fresh read is under way or done: a caller that
        will want them after other waits (the customer's segment) asks first, so the
        read overlaps those waits instead of following them."""
        loop = asyncio.get_running_loop()
        known = self._tallies
        if (
            known is None
            or loop.time() - self._tallied_at > self._ttl
            or (known.done() and (known.cancelled() or known.exception() is not None))
        ):
            known = self._tallies = loop.create_task(self._all_tallies())
            known.add_done_callback(_retrieved)  # a read nobody awaits is not a warning
            self._tallied_at = loop.time()
        return known

    async def _all_tallies(self) -> list[Tally]:
        accepted = func.sum(case((offer_outcomes.c.outcome == "ACCEPTED", 1), else_=0))
        declined = func.sum(case((offer_outcomes.c.outcome == "DECLINED", 1), else_=0))
        query = select(
            offer_outcomes.c.segment, offer_outcomes.c.offer_id, accepted, declined
        ).group_by(offer_outcomes.c.segment, offer_outcomes.c.offer_id)
        try:
            async with self._ready().connect() as connection:
                rows = (await connection.execute(query)).all()
        except (SQLAlchemyError, OSError) as error:
            raise SourceUnavailable(STORE, f"cannot read outcomes: {error}") from None
        return [(s, o, int(a or 0), int(d or 0)) for s, o, a, d in rows]


def _retrieved(task: asyncio.Task[list[Tally]]) -> None:
    if not task.cancelled():
        task.exception()
