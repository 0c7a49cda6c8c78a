"""The SQL connector: batched ``IN`` queries to a database through one async SQLAlchemy engine.

A sql source is read the way a REST source is: one statement per batch of keys
(chunks of ``max_batch``), rows turned into JSON-like records, and records
matched back to their keys, so the system layer cannot tell the two apart.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Row, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.sql.elements import TextClause

from sources.answers import KeyAnswer, records_for_keys
from sources.arguments import NOTHING_PUSHED, Pushed
from sources.base import RawRecord
from sources.config import SqlSource
from sources.errors import (
    SourceBadResponse,
    SourceError,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
)
from sources.sql_statements import StatementRenderer
from sources.sqlite_inline import INLINE_MAX_KEYS, InlineReader

log = logging.getLogger("c360.sources")

SQLITE_ERROR = 1
"""SQLite's generic error code: what it answers for a missing table or column and bad syntax."""

_REJECTING_SQLSTATE_CLASSES = ("22", "42")
"""PostgreSQL: data exceptions and syntax/undefined-object errors are our query's fault."""


class SqlConnector:
    """Reads one database: one engine per process, one statement per batch, keys matched back.

    ``statements`` counts the statements sent since start, so tests and operators
    can see that fifty customers cost one round trip, not fifty.
    """

    def __init__(self, name: str, source: SqlSource) -> None:
        self.name = name
        self.source = source
        self.statements = 0
        self._engine: AsyncEngine | None = None
        # Compiled once: a bad lookup should cost nothing per request but its error.
        self._queries: dict[tuple[str, str], TextClause] = {
            (entity_name, kind): text(lookup.sql or "").bindparams(
                bindparam("keys", expanding=True)
            )
            for entity_name, entity in source.entities.items()
            for kind, lookup in entity.lookups.items()
        }
        self._direct: dict[tuple[str, str], StatementRenderer] = {}
        """SQLite lookups asked of aiosqlite directly (``_select_direct``), once started."""
        self._inline: InlineReader | None = None

    async def start(self) -> None:
        if self._engine is None:
            self._engine = create_async_engine(self.source.dsn, **engine_options(self.source))
            if self._engine.dialect.driver == "aiosqlite":
                self._inline = InlineReader(self._engine, self.source.pool_recycle_s)
                self._direct = {
                    (entity_name, kind): renderer
                    for entity_name, entity in self.source.entities.items()
                    for kind, lookup in entity.lookups.items()
                    if (
                        renderer := StatementRenderer(
                            self._queries[(entity_name, kind)],
                            [a.param for a in lookup.arguments.values()],
                            self._engine.dialect,
                        )
                    ).complete
                }

    async def close(self) -> None:
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        if self._engine is not None:
            engine, self._engine = self._engine, None
            await engine.dispose()

    async def fetch(
        self,
        entity: str,
        kind: str,
        keys: Sequence[str],
        *,
        timeout_s: float,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> list[KeyAnswer]:
        """Per key, its records; each declared argument is bound (``None`` when not pushed)."""
        lookup = self.source.entities[entity].lookups[kind]
        query = self._queries[(entity, kind)]
        given = dict(arguments)
        bound: dict[str, Any] = {a.param: given.get(a.param) for a in lookup.arguments.values()}
        step = lookup.max_batch
        groups = [list(keys[i : i + step]) for i in range(0, len(keys), step)]
        direct = self._direct.get((entity, kind))

        def select(group: list[str]) -> Awaitable[list[RawRecord]]:
            if direct is not None:
                return self._select_direct(entity, direct, group, bound)
            return self._select(entity, query, group, bound)

        try:
            async with asyncio.timeout(timeout_s):
                if len(groups) == 1:  # the usual batch: a gather would only add a task
                    parts = [await select(groups[0])]
                else:
                    parts = await asyncio.gather(*(select(g) for g in groups))
        except TimeoutError:
            raise SourceTimeout(
                self.name, f"no answer within {timeout_s * 1000:.0f} ms", entity=entity
            ) from None
        return [
            records
            for group, rows in zip(groups, parts, strict=True)
            for records in records_for_keys(self.name, entity, lookup, kind, group, rows)
        ]

    async def _select(
        self, entity: str, query: TextClause, keys: list[str], bound: dict[str, Any]
    ) -> list[RawRecord]:
        if self._engine is None:
            raise SourceUnavailable(self.name, "connector is not started", entity=entity)
        self.statements += 1
        try:
            async with self._engine.connect() as connection:
                result = await connection.execute(query, {**bound, "keys": keys})
                rows = result.fetchmany(self.source.max_rows + 1)
                self._check_rows(len(rows), entity)
                return json_records(result.keys(), rows)
        except DBAPIError as exc:
            raise self._database_error(exc.orig, entity) from None
        except (SQLAlchemyError, OSError) as exc:
            raise self._unreachable(exc, entity) from None

    async def _select_direct(
        self, entity: str, renderer: StatementRenderer, keys: list[str], bound: dict[str, Any]
    ) -> list[RawRecord]:
        """``_select`` for SQLite: read on the event loop when quick (``sqlite_inline``), else
        the statement and its rows in one trip to aiosqlite's thread.

        Through SQLAlchemy's cursor a statement costs five trips to that thread
        (cursor, execute, fetch, close, and the rollback of the connection's
        implicit transaction), each a wake-up of the thread and of the event loop:
        most of a ledger read's CPU. The pool, its limits and its errors stay
        SQLAlchemy's; the statement is rendered by it, once per number of keys.
        """
        if self._engine is None:
            raise SourceUnavailable(self.name, "connector is not started", entity=entity)
        self.statements += 1
        statement = renderer.for_keys(len(keys))
        values = statement.values(keys, bound)
        limit = self.source.max_rows
        inline = self._inline if len(keys) <= INLINE_MAX_KEYS else None
        read = inline.read(statement.sql, values, limit) if inline is not None else None
        if read is not None:
            labels, tuples = read
            self._check_rows(len(tuples), entity)
            return labelled_records(labels, tuples)
        try:
            async with self._engine.connect() as connection:
                pooled = await connection.get_raw_connection()
                database = pooled.driver_connection
                if database is None:  # invalidated under us
                    raise SourceUnavailable(self.name, "connection was lost", entity=entity)
                if database.row_factory is not sqlite3.Row:  # rows that carry their labels
                    database.row_factory = sqlite3.Row
                rows = list(await database.execute_fetchall(statement.sql, values))
        except sqlite3.Error as exc:
            raise self._database_error(exc, entity) from None
        except DBAPIError as exc:
            raise self._database_error(exc.orig, entity) from None
        except (SQLAlchemyError, OSError, ValueError) as exc:  # ValueError: closed under us
            raise self._unreachable(exc, entity) from None
        self._check_rows(len(rows), entity)
        return labelled_records(rows[0].keys(), rows) if rows else []

    def _unreachable(self, exc: Exception, entity: str) -> SourceUnavailable:
        """Refused, pool exhausted, driver gave up. Never str(exc): it may hold the DSN."""
        return SourceUnavailable(
            self.name, f"cannot reach the database ({type(exc).__name__})", entity=entity
        )

    def _check_rows(self, count: int, entity: str) -> None:
        limit = self.source.max_rows
        if count > limit:
            raise SourceBadResponse(
                self.name,
                f"answered more than max_rows ({limit:,}) for one batch; not read further",
                entity=entity,
            )

    def _database_error(self, original: BaseException | None, entity: str) -> SourceError:
        """The database answered with an error: our query's fault, a timeout, or the server's."""
        sqlstate = getattr(original, "sqlstate", None)
        cause = original.__cause__ if original is not None else None
        if sqlstate is not None:
            reason = f"{type(cause or original).__name__}, SQLSTATE {sqlstate}"
            if sqlstate == "57014":  # query_canceled: the server-side statement_timeout
                return SourceTimeout(self.name, f"query cancelled ({reason})", entity=entity)
            rejected = sqlstate[:2] in _REJECTING_SQLSTATE_CLASSES
        elif getattr(original, "sqlite_errorcode", None) == SQLITE_ERROR:
            # SQLite's own text names the missing table or column; it carries no key values.
            reason, rejected = str(original), True
        else:
            reason = type(cause or original).__name__
            rejected = "invalid input for query argument" in str(original)
        log.warning("source %s: database error on %s: %s", self.name, entity, reason)
        if rejected:
            return SourceRejected(
                self.name, f"the database rejected the query ({reason})", entity=entity
            )
        return SourceUnavailable(self.name, f"database error ({reason})", entity=entity)


def engine_options(source: SqlSource) -> dict[str, Any]:
    """Pool and driver settings: autocommit reads (no BEGIN/ROLLBACK round trips), bounded waits."""
    options: dict[str, Any] = {
        "isolation_level": "AUTOCOMMIT",
        # Nothing to roll back between reads in autocommit; SQLAlchemy's docs suggest this.
        "pool_reset_on_return": None,
        "pool_size": source.pool_size,
        "max_overflow": source.max_overflow,
        "pool_timeout": source.pool_timeout_s,
        "pool_recycle": source.pool_recycle_s,
    }
    timeout_s = source.timeout_ms / 1000
    if make_url(source.dsn).get_backend_name() == "postgresql":
        options["connect_args"] = {
            "timeout": timeout_s,
            "server_settings": {
                "application_name": "c360-gateway",
                # The server stops a runaway lookup too, not just our client giving up on it.
                "statement_timeout": str(source.timeout_ms),
                "default_transaction_read_only": "on",
            },
        }
    else:
        options["connect_args"] = {"timeout": timeout_s}
    return options


def _iso(value: date | time) -> str:
    return value.isoformat()


_JSON_VALUE: dict[type, Callable[[Any], Any]] = {
    Decimal: float,
    datetime: _iso,
    date: _iso,
    time: _iso,
    UUID: str,
    timedelta: timedelta.total_seconds,
}


def json_value(value: Any) -> Any:
    """A column value as the JSON a REST source would have sent (the mapper expects that)."""
    convert = _JSON_VALUE.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return value


def json_record(row: Mapping[Any, Any]) -> RawRecord:
    """One row as a plain dict of JSON-friendly values, keyed by column label."""
    return {str(column): json_value(value) for column, value in row.items()}


_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None)})
"""Column value types that are JSON already (most of them): no conversion to look up."""


def json_records(columns: Iterable[Any], rows: Iterable[Row[Any]]) -> list[RawRecord]:
    """Every row as ``json_record`` makes it, the column labels read once for all rows."""
    labels = [str(column) for column in columns]
    if len(set(labels)) != len(labels):  # ambiguous labels: the row mapping says how it copes
        return [json_record(row._mapping) for row in rows]
    return labelled_records(labels, rows)


def labelled_records(labels: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[RawRecord]:
    """Plain rows (value sequences) as records under ``labels``; a repeated label keeps its last."""
    return [
        {
            label: value if type(value) in _PLAIN else json_value(value)
            for label, value in zip(labels, row, strict=True)
        }
        for row in rows
    ]
