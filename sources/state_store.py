"""The little data the gateway owns itself: recorded outcomes of offers (accepted / declined).

SQLAlchemy async over SQLite by default (a file under the working directory,
so a restart keeps every outcome) or PostgreSQL (``C360_STATE_DSN``, e.g.
``postgresql+asyncpg://user@host/db``). Outcomes are appended, never updated;
acceptance rates are counted by the database, one query per request that
asks for offers.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(slots=True, frozen=True)
class OfferTally:
    segment: str
    offer_id: str
    accepted: int
    declined: int


def default_dsn(directory: Path | None = None) -> str:
    path = (directory or Path.cwd()) / DEFAULT_STATE_FILE
    return f"sqlite+aiosqlite:///{path}"


class OfferOutcomeStore:
    """Append outcomes, count them per (segment, offer); created tables on ``start``."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._engine: AsyncEngine | None = None

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

    async def tallies(self, segments: list[str]) -> list[OfferTally]:
        """Accepted and declined counts per offer, for the segments asked."""
        accepted = func.sum(case((offer_outcomes.c.outcome == "ACCEPTED", 1), else_=0))
        declined = func.sum(case((offer_outcomes.c.outcome == "DECLINED", 1), else_=0))
        query = (
            select(offer_outcomes.c.segment, offer_outcomes.c.offer_id, accepted, declined)
            .where(offer_outcomes.c.segment.in_(sorted(set(segments))))
            .group_by(offer_outcomes.c.segment, offer_outcomes.c.offer_id)
        )
        try:
            async with self._ready().connect() as connection:
                rows = (await connection.execute(query)).all()
        except (SQLAlchemyError, OSError) as error:
            raise SourceUnavailable(STORE, f"cannot read outcomes: {error}") from None
        return [OfferTally(s, o, int(a or 0), int(d or 0)) for s, o, a, d in rows]
