"""The declarative source config: which systems exist, how to fetch what from them.

A source system is declared, not coded. Pointing the gateway at another CRM or a
second billing system is an edit of this YAML file; a bad file fails at start
with a message that names the file, the source and the field.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from sources.errors import ConfigError

KEY_KINDS = ("id", "email", "phone", "handle", "location", "all")
"""What a lookup is keyed by: a customer attribute the gateway knows how to normalize."""

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_KEYS_PARAMETER = re.compile(r"(?<!:):keys\b")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    """Where one domain field comes from in a source record (a dotted path)."""

    source: Annotated[str, Field(alias="from", min_length=1)]
    default: Any = None
    fields: dict[str, str | FieldSpec] | None = None


class Lookup(_Strict):
    """One way to fetch a batch of records by keys of one kind.

    REST sources give ``path`` (and ``query``/``json_body``), whose values may hold
    ``{keys}`` (keys joined by commas), ``{keys.<part>}`` (one part of composite
    keys, e.g. ``{keys.latitude}``) or ``{key}`` (one request per key, for sources
    that cannot batch). SQL sources give ``sql``: a SELECT with one expanding
    ``:keys`` parameter, e.g. ``... WHERE lower(email) IN :keys``. Which of the two
    a lookup needs is checked by its source (see ``_check_lookups``).
    """

    method: Literal["GET", "POST"] = "GET"
    path: Annotated[str, Field(min_length=1, pattern=r"^/")] | None = None
    query: dict[str, str] = {}
    json_body: dict[str, Any] | None = None
    sql: Annotated[str, Field(min_length=1)] | None = None
    match_on: Annotated[str, Field(min_length=1)] = "id"
    max_batch: Annotated[int, Field(ge=1, le=10_000)] = 200

    @field_validator("sql")
    @classmethod
    def _one_keys_parameter(cls, value: str | None) -> str | None:
        if value is not None and len(_KEYS_PARAMETER.findall(value)) != 1:
            raise ValueError(
                "needs exactly one ':keys' parameter, e.g. '... WHERE lower(email) IN :keys'"
            )
        return value

    @property
    def per_key(self) -> bool:
        return "{key}" in (self.path or "") or any("{key}" in v for v in self.query.values())


class Entity(_Strict):
    """A kind of record a source serves, its lookups and its mapping to a domain record."""

    serves: Annotated[str, Field(min_length=1)]
    records_at: str = "data"
    lookups: Annotated[dict[str, Lookup], Field(min_length=1)]
    fields: Annotated[dict[str, str | FieldSpec], Field(min_length=1)]
    cache_ttl_s: Annotated[float | None, Field(ge=0)] = None
    """Overrides the source's ``resilience.cache_ttl_s`` for this entity."""

    @field_validator("lookups")
    @classmethod
    def _known_key_kinds(cls, value: dict[str, Lookup]) -> dict[str, Lookup]:
        unknown = sorted(set(value) - set(KEY_KINDS))
        if unknown:
            raise ValueError(f"unknown lookup kind {unknown}; expected one of {list(KEY_KINDS)}")
        return value


class Breaker(_Strict):
    """When to stop calling a failing source, and when to try it again."""

    failures: Annotated[int, Field(ge=1, le=1_000)] = 5
    cooldown_s: Annotated[float, Field(gt=0, le=3_600)] = 10.0


class Resilience(_Strict):
    """Retries, breaker and cache of one source. Defaults suit an internal REST service."""

    retries: Annotated[int, Field(ge=0, le=5)] = 2
    retry_backoff_ms: Annotated[int, Field(ge=1, le=10_000)] = 50
    breaker: Breaker = Breaker()
    cache_ttl_s: Annotated[float, Field(ge=0)] = 0.0
    stale_for_s: Annotated[float, Field(ge=0)] = 3_600.0


class SourceBase(_Strict):
    """What every kind of source has: a timeout, resilience settings and entities."""

    timeout_ms: Annotated[int, Field(ge=1, le=120_000)] = 2_000
    resilience: Resilience = Resilience()
    entities: Annotated[dict[str, Entity], Field(min_length=1)]


class RestSource(SourceBase):
    """A source system that speaks JSON over HTTP."""

    kind: Literal["rest"]
    base_url: Annotated[str, Field(pattern=r"^https?://[^\s/]+")]
    headers: dict[str, str] = {}
    max_connections: Annotated[int, Field(ge=1, le=10_000)] = 100

    @model_validator(mode="after")
    def _rest_lookups(self) -> RestSource:
        _check_lookups(self, "rest", needs="path", forbids=("sql",))
        return self


SQL_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
"""The async SQLAlchemy drivers the gateway ships with."""


class SqlSource(SourceBase):
    """A source system that is a database, read with SQLAlchemy's async engine.

    The pool defaults suit a shared database: few connections per gateway process,
    a bounded wait for one, and recycling so a restarted server is not a stale socket.
    """

    kind: Literal["sql"]
    dsn: Annotated[str, Field(min_length=1)]
    pool_size: Annotated[int, Field(ge=1, le=1_000)] = 5
    max_overflow: Annotated[int, Field(ge=0, le=1_000)] = 5
    pool_timeout_s: Annotated[float, Field(gt=0, le=120)] = 2.0
    pool_recycle_s: Annotated[float, Field(gt=0)] = 1_800.0

    @field_validator("dsn")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # The message names the driver only: a DSN may carry a password.
        expected = "sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db"
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"not an SQLAlchemy URL; expected e.g. {expected}") from None
        if url.drivername not in SQL_DRIVERS:
            raise ValueError(
                f"driver '{url.drivername}' is not an async driver the gateway has; "
                f"expected e.g. {expected}"
            )
        if url.drivername.startswith("sqlite") and url.database in (None, "", ":memory:"):
            raise ValueError("an in-memory SQLite database is empty in every connection")
        return value

    @model_validator(mode="after")
    def _sql_lookups(self) -> SqlSource:
        _check_lookups(self, "sql", needs="sql", forbids=("path", "query", "json_body", "method"))
        for entity_name, entity in self.entities.items():
            for kind, lookup in entity.lookups.items():
                if lookup.match_on == "position":
                    raise _lookup_error(
                        entity_name, kind, "match_on", "a sql lookup matches on a column"
                    )
        return self


def _check_lookups(
    source: SourceBase, kind_name: str, *, needs: str, forbids: tuple[str, ...]
) -> None:
    """Each lookup gives what its source's kind needs and nothing that only another kind reads."""
    for entity_name, entity in source.entities.items():
        for kind, lookup in entity.lookups.items():
            if getattr(lookup, needs) is None:
                raise _lookup_error(entity_name, kind, needs, f"required in a {kind_name} source")
            for field in forbids:
                if field in lookup.model_fields_set:
                    raise _lookup_error(
                        entity_name, kind, field, f"not used by a {kind_name} source"
                    )


def _lookup_error(entity: str, kind: str, field: str, problem: str) -> PydanticCustomError:
    """An error located below the source; ``_describe`` adds ``where`` to the location."""
    return PydanticCustomError(
        "source_lookup",
        "{problem}",
        {"where": f"entities.{entity}.lookups.{kind}.{field}", "problem": problem},
    )


SOURCE_KINDS = ("rest", "sql")

Source = Annotated[RestSource | SqlSource, Field(discriminator="kind")]
"""Any kind of source, told apart by its ``kind``."""


class SourcesConfig(_Strict):
    """The whole file: every source system, in the order they are declared."""

    sources: Annotated[dict[str, Source], Field(min_length=1)]
    origin: str = "<memory>"


def load_sources_config(path: str | Path, overrides: dict[str, str] | None = None) -> SourcesConfig:
    """Read, interpolate ``${VAR:-default}`` and validate a source config file.

    ``overrides`` replaces sources' ``base_url`` (or a sql source's ``dsn``) by
    source name: tests and the bench use it to point the demo config at ephemeral
    ports and a fresh demo database.
    """
    file = Path(path)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read source config: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: expected a mapping with a 'sources' key at the top")
    raw = _interpolate(raw)
    for name, url in (overrides or {}).items():
        source = raw.get("sources", {}).get(name)
        if isinstance(source, dict):
            source["dsn" if source.get("kind") == "sql" else "base_url"] = url
    return parse_sources_config(raw, origin=str(file))


def parse_sources_config(raw: dict[str, Any], origin: str = "<memory>") -> SourcesConfig:
    """Validate an already-parsed config mapping; errors name ``origin``, source and field."""
    try:
        return SourcesConfig.model_validate({**raw, "origin": origin})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin)) from None


def _describe(exc: ValidationError, origin: str) -> str:
    lines = [f"{origin}: invalid source config"]
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if len(loc) >= 3 and loc[0] == "sources" and loc[2] in SOURCE_KINDS:
            del loc[2]  # the discriminator's tag: the user wrote no field of that name
        message = error["msg"]
        if error["type"] == "source_lookup":
            loc.extend(str(error["ctx"]["where"]).split("."))
        elif error["type"] in ("union_tag_not_found", "union_tag_invalid"):
            loc.append("kind")
            message = f"expected one of {', '.join(SOURCE_KINDS)}"
        where = ".".join(loc)
        if len(loc) >= 2 and loc[0] == "sources":
            where = f"source '{loc[1]}', field '{'.'.join(loc[2:]) or '(itself)'}'"
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)


def _interpolate(value: Any) -> Any:
    if isinstance(value, str):
        return _ENV.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), value)
    if isinstance(value, dict):
        return {k: _interpolate(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v) for v in value]
    return value
