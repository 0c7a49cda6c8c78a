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
from sources.groups import Group
from sources.key_formats import KeyFormat
from sources.oauth import Auth
from sources.paging import Paging
from sources.yaml_text import YamlProblem, load_yaml

KEY_KINDS = (
    "id",
    "email",
    "phone",
    "handle",
    "location",
    "all",
    "postcode",
    "surname",
    "given_name",
    "birth_date",
    "surname_soundex",
)
"""What a lookup is keyed by: a customer attribute the gateway knows how to normalize."""

SEARCH_KINDS = ("postcode", "surname", "given_name", "birth_date", "surname_soundex")
"""The customer systems' searches (many records per value): candidates for identity matching.
Compared case-insensitively; ``birth_date`` as an ISO date, ``surname_soundex`` as an American
Soundex code (``L120``)."""

LINK = "link"
"""The lookup kind keyed by this source's own ids, as other systems' records hold them."""

LINKED_BY = "link:"
"""Prefix of lookup kind ``link:<system>``: records found by the id they hold for ``<system>``."""

MAX_LINK_DEPTH = 3
"""How many hops a chain of links may take from the customer system (CRM → billing → ledger)."""

KEY_PARTS = {"location": ("latitude", "longitude")}
"""Composite key kinds and the names of their comma-separated parts."""

WHOLE_KEY = "key"
"""The ``echo`` name of a key that has no parts (an id, an email)."""

DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
"""A REST answer larger than this is refused while it is read (``max_response_bytes``)."""

DEFAULT_MAX_ROWS = 50_000
"""A SQL batch statement answering more rows than this is refused (``max_rows``)."""

FIELD_ARGUMENTS = ("limit", "status", "since")
"""The list fields' arguments a lookup may push down to its source (``arguments``)."""

SINCE_FORMATS = ("datetime", "date", "epoch")
"""How a ``since`` moment is sent: ISO 8601 UTC timestamp, ISO date (UTC), or Unix seconds."""

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_KEYS_PARAMETER = re.compile(r"(?<!:):keys\b")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    """Where one domain field comes from in a source record (a dotted path)."""

    source: Annotated[str, Field(alias="from", min_length=1)]
    default: Any = None
    fields: dict[str, str | FieldSpec] | None = None
    format: Annotated[str, Field(min_length=2, pattern="%|^epoch_(s|ms)$")] | None = None
    """How a date or time is written when it is not ISO 8601: as ``strptime`` reads it
    (``%d/%m/%Y`` for 14/03/1985), or ``epoch_s`` / ``epoch_ms`` for a number of seconds
    or milliseconds since 1970-01-01 UTC."""


class Argument(_Strict):
    """How one field argument (``limit``, ``status``, ``since``) is sent to the source.

    ``param`` names the query parameter (REST) or the bound parameter in the
    statement (SQL, ``:<param>``). The gateway filters what comes back again
    either way: a source that ignores the parameter cannot widen the answer.
    """

    param: Annotated[str, Field(min_length=1, pattern=r"^[^\s&=#?]+$")]
    """``filter[status]`` and the like are fine for REST; SQL needs a bind name (``state``)."""
    format: Literal["datetime", "date", "epoch"] | None = None
    """``since`` only: ``datetime`` (ISO 8601, UTC, the default), ``date`` or ``epoch`` seconds."""
    per_key: bool = False
    """``limit`` only: the source limits each key's records (not the whole batch's)."""


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
    match_on: Annotated[str, Field(min_length=1)] | None = None
    """The record field that carries the key, or ``position``; required unless per key."""
    echo: dict[str, Annotated[str, Field(min_length=1)]] = {}
    """For ``match_on: position``: which record field repeats which key part (or ``key``)."""
    echo_tolerance: Annotated[float, Field(ge=0)] = 0.0
    """How far an echoed number may be from the number asked (a weather grid snaps them)."""
    max_batch: Annotated[int, Field(ge=1, le=10_000)] = 200
    key_format: KeyFormat | None = None
    """The form keys are sent in (``national`` phones, ``upper`` case, a prefix...); REST only."""
    group: Group | None = None
    """A grouped answer: the key on each group, its records inside (REST only)."""
    paging: Paging | None = None
    """How to follow an answer over several pages (REST only)."""
    arguments: dict[str, Argument] = {}
    """Field arguments the source filters by itself: ``{ status: status }`` or
    ``{ since: { param: from, format: date } }``; the others are filtered by the gateway."""

    @field_validator("arguments", mode="before")
    @classmethod
    def _argument_shorthand(cls, value: Any) -> Any:
        """``status: state`` is short for ``status: { param: state }``."""
        if isinstance(value, dict):
            return {k: {"param": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

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

    @property
    def by_position(self) -> bool:
        return self.match_on == "position"


class Link(_Strict):
    """A field of this entity's records that holds the same person's id in another system.

    ``links: { orders: { from: order_customer_id } }`` on a CRM entity says: a
    contact's ``order_customer_id`` is their id in the source named ``orders``.
    A link names a source (a system), not one of its entities: every entity of
    that source with a ``link`` lookup is asked by it.
    """

    source: Annotated[str, Field(alias="from", min_length=1)]
    """The record field (a dotted path) holding the id."""


class Entity(_Strict):
    """A kind of record a source serves, its lookups and its mapping to a domain record."""

    serves: Annotated[str, Field(min_length=1)]
    records_at: str = "data"
    lookups: Annotated[dict[str, Lookup], Field(min_length=1)]
    fields: Annotated[dict[str, str | FieldSpec], Field(min_length=1)]
    links: dict[str, Link] = {}
    """Cross-references to other systems, by the source they name (see ``Link``)."""
    cache_ttl_s: Annotated[float | None, Field(ge=0)] = None
    """Overrides the source's ``resilience.cache_ttl_s`` for this entity."""

    @field_validator("lookups")
    @classmethod
    def _known_key_kinds(cls, value: dict[str, Lookup]) -> dict[str, Lookup]:
        known = (*KEY_KINDS, LINK, f"{LINKED_BY}<system>")
        unknown = sorted(
            k for k in value if k not in KEY_KINDS and k != LINK and not _is_linked_by(k)
        )
        if unknown:
            raise ValueError(f"unknown lookup kind {unknown}; expected one of {list(known)}")
        return value

    @model_validator(mode="after")
    def _linked_by_own_links(self) -> Entity:
        """``link:<system>`` finds records by the field a link declares: that link must exist."""
        for kind in self.lookups:
            if _is_linked_by(kind) and kind[len(LINKED_BY) :] not in self.links:
                system = kind[len(LINKED_BY) :]
                raise PydanticCustomError(
                    "source_lookup",
                    "{problem}",
                    {
                        "where": f"lookups.{kind}",
                        "problem": f"needs links.{system} (the field holding the id in "
                        f"'{system}'); declared links: {sorted(self.links) or 'none'}",
                    },
                )
        return self


def _is_linked_by(kind: str) -> bool:
    return kind.startswith(LINKED_BY) and len(kind) > len(LINKED_BY)


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
    cache_max_entry_bytes: Annotated[int, Field(ge=1_024)] = 1_000_000
    """One key's answer larger than this (as JSON) is served but not cached, fresh or stale."""


class Budget(_Strict):
    """How hard we may use one source (a CRM's API quota, a small database). Unset: unlimited.

    A call is one request to the source: one per ``max_batch`` keys (one per key
    for a ``{key}`` lookup), a retry another. ``rate_per_s`` and ``burst`` are a
    token bucket over calls; ``concurrency`` bounds calls in flight at once;
    ``max_calls_per_request`` bounds what one GraphQL request may cost this
    source. A call over the rate or the concurrency waits within the request's
    deadline, or fails at once with ``SOURCE_BUDGET_EXCEEDED`` when it could not
    start in time.
    """

    rate_per_s: Annotated[float, Field(gt=0, le=1_000_000)] | None = None
    burst: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    """Calls allowed at once after a quiet spell; default: one second's worth (at least 1)."""
    concurrency: Annotated[int, Field(ge=1, le=10_000)] | None = None
    max_calls_per_request: Annotated[int, Field(ge=1, le=100_000)] | None = None

    @model_validator(mode="after")
    def _burst_needs_rate(self) -> Budget:
        if self.burst is not None and self.rate_per_s is None:
            raise ValueError("'burst' needs 'rate_per_s' (the rate the burst refills at)")
        return self

    @property
    def bucket_size(self) -> float:
        """Tokens the bucket holds when full (only meaningful with a rate)."""
        if self.burst is not None:
            return float(self.burst)
        return max(1.0, float(self.rate_per_s or 1.0))

    @property
    def unlimited(self) -> bool:
        return (
            self.rate_per_s is None
            and self.concurrency is None
            and self.max_calls_per_request is None
        )


class SourceBase(_Strict):
    """What every kind of source has: a timeout, resilience settings, a budget and entities."""

    timeout_ms: Annotated[int, Field(ge=1, le=120_000)] = 2_000
    resilience: Resilience = Resilience()
    budget: Budget = Budget()
    entities: Annotated[dict[str, Entity], Field(min_length=1)]


class RestSource(SourceBase):
    """A source system that speaks JSON over HTTP."""

    kind: Literal["rest"]
    base_url: Annotated[str, Field(pattern=r"^https?://[^\s/]+")]
    headers: dict[str, str] = {}
    auth: Auth | None = None
    """Beyond static ``headers``: ``oauth2_client_credentials`` (a token fetched and refreshed)."""
    max_connections: Annotated[int, Field(ge=1, le=10_000)] = 100
    max_response_bytes: Annotated[int, Field(ge=1_024, le=1024**3)] = DEFAULT_MAX_RESPONSE_BYTES
    """Bigger answers are refused while being read: one sick source cannot fill our memory."""

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
    max_rows: Annotated[int, Field(ge=1, le=10_000_000)] = DEFAULT_MAX_ROWS
    """More rows for one batch statement is a bad answer, not something to hold in memory."""

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
        _check_lookups(
            self,
            "sql",
            needs="sql",
            forbids=("path", "query", "json_body", "method", "key_format", "group", "paging"),
        )
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
    """Each lookup gives what its source's kind needs and nothing that only another kind reads.

    A batched lookup must say which record field carries the key (``match_on``):
    guessing ``id`` matched nothing, silently, for every source keyed otherwise.
    """
    for entity_name, entity in source.entities.items():
        for kind, lookup in entity.lookups.items():
            if getattr(lookup, needs) is None:
                raise _lookup_error(entity_name, kind, needs, f"required in a {kind_name} source")
            for field in forbids:
                if field in lookup.model_fields_set:
                    raise _lookup_error(
                        entity_name, kind, field, f"not used by a {kind_name} source"
                    )
            _check_rest_extras(entity_name, kind, lookup)
            _check_arguments(entity_name, kind, lookup)
            grouped_by_key = lookup.group is not None and lookup.group.key is not None
            if lookup.match_on is None and not lookup.per_key and not grouped_by_key:
                raise _lookup_error(
                    entity_name,
                    kind,
                    "match_on",
                    "required: the record field that carries the key (a dotted path), "
                    "or 'position' for a source that answers in the order asked",
                )
            _check_echo(entity_name, kind, lookup)


def _check_rest_extras(entity: str, kind: str, lookup: Lookup) -> None:
    """``key_format``, ``group`` and ``paging`` fit the lookup they are on."""
    key_format = lookup.key_format
    if key_format is not None and key_format.phone != "e164" and kind != "phone":
        raise _lookup_error(
            entity, kind, "key_format", f"a phone format is for phone lookups, not '{kind}'"
        )
    if key_format is not None and key_format.changes_keys and kind in KEY_PARTS:
        raise _lookup_error(
            entity, kind, "key_format", f"a {kind} key is sent by its parts, as it is"
        )
    if "{keys*}" in (lookup.path or ""):
        raise _lookup_error(entity, kind, "path", "'{keys*}' is for a whole query value")
    for name, value in lookup.query.items():
        if "{keys*}" in value and value != "{keys*}":
            raise _lookup_error(
                entity,
                kind,
                f"query.{name}",
                "'{keys*}' is a whole query value (the parameter repeated per key)",
            )
    group = lookup.group
    if group is not None:
        if group.key is not None and lookup.match_on is not None:
            raise _lookup_error(
                entity,
                kind,
                "match_on",
                "not with group.key (the group's key is matched); "
                "omit group.key for groups in the order asked (match_on: position)",
            )
        if group.key is None and not lookup.by_position:
            raise _lookup_error(
                entity,
                kind,
                "group.key",
                "required: the group field naming the key, "
                "or 'match_on: position' for groups in the order asked",
            )
        if lookup.echo:
            raise _lookup_error(entity, kind, "echo", "not with group (groups carry no echo)")


def _check_arguments(entity: str, kind: str, lookup: Lookup) -> None:
    """Each pushed argument is a field argument the gateway has, sent where the lookup can.

    A typo (``stauts``) would otherwise be an argument silently never sent.
    """
    for name, argument in lookup.arguments.items():
        where = f"arguments.{name}"
        if name not in FIELD_ARGUMENTS:
            raise _lookup_error(
                entity,
                kind,
                where,
                f"unknown field argument '{name}'; expected one of {', '.join(FIELD_ARGUMENTS)}",
            )
        if argument.format is not None and name != "since":
            raise _lookup_error(entity, kind, f"{where}.format", "only for since")
        if argument.per_key and name != "limit":
            raise _lookup_error(entity, kind, f"{where}.per_key", "only for limit")
        if lookup.sql is not None:
            name_ok = re.fullmatch(r"[A-Za-z_]\w*", argument.param) and argument.param != "keys"
            if not name_ok or not re.search(rf"(?<!:):{argument.param}\b", lookup.sql):
                raise _lookup_error(
                    entity,
                    kind,
                    where,
                    f"the statement has no ':{argument.param}' parameter (e.g. "
                    f"'AND (:{argument.param} IS NULL OR status = :{argument.param})')",
                )
            if name == "limit" and not argument.per_key:
                raise _lookup_error(
                    entity,
                    kind,
                    where,
                    "a sql lookup is batched: a limit is pushed only with per_key: true",
                )
        elif argument.param in lookup.query:
            raise _lookup_error(entity, kind, where, f"'{argument.param}' is already in query")


def _check_echo(entity: str, kind: str, lookup: Lookup) -> None:
    """``echo`` names parts of this lookup's key, and only a positional lookup needs it."""
    if not lookup.echo:
        return
    if not lookup.by_position:
        raise _lookup_error(
            entity, kind, "echo", "only for match_on: position (match_on already checks the key)"
        )
    parts = KEY_PARTS.get(kind, (WHOLE_KEY,))
    unknown = sorted(set(lookup.echo) - set(parts))
    if unknown:
        raise _lookup_error(
            entity, kind, "echo", f"unknown key part {unknown}; a {kind} key has {list(parts)}"
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


class IdentityMatching(_Strict):
    """How records of different customer systems are told to be one person (``identity:``).

    Confidences are 0 to 1 (see resolvers/process/matching.py for the evidence weighed).
    """

    match_threshold: Annotated[float, Field(gt=0, lt=1)] = 0.9
    """At or above: one person (``Customer.identities``)."""
    candidate_threshold: Annotated[float, Field(gt=0, lt=1)] = 0.5
    """At or above: listed by ``searchCustomers`` (below the match threshold: a candidate)."""
    plus_addressing: bool = True
    """``ann+shop@x.com`` is ``ann@x.com``."""
    default_region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "US"
    """Where a phone written without a country code is (ISO 3166 code)."""
    cache_ttl_s: Annotated[float, Field(ge=0, le=3_600)] = 30.0
    """How long a lookup's answer (a phone, an email, an id: the records each customer system
    returned) is remembered by the gateway process, so a caller who rings again costs no
    customer-system request; 0: never. Never a master copy: entries expire, and a miss or a
    failed system is never remembered."""
    cache_max_bytes: Annotated[int, Field(ge=1_024)] = 8_000_000
    """What the remembered answers may weigh in all (estimated; the least recently used go)."""

    @model_validator(mode="after")
    def _candidates_below_matches(self) -> IdentityMatching:
        if self.candidate_threshold > self.match_threshold:
            raise ValueError("candidate_threshold must not be above match_threshold")
        return self


class SourcesConfig(_Strict):
    """The whole file: every source system, in the order they are declared."""

    sources: Annotated[dict[str, Source], Field(min_length=1)]
    identity: IdentityMatching = IdentityMatching()
    origin: str = "<memory>"


def load_sources_config(
    path: str | Path,
    overrides: dict[str, str] | None = None,
    *,
    overrides_from: str = "C360_SOURCE_URLS",
) -> SourcesConfig:
    """Read, interpolate ``${VAR:-default}`` and validate a source config file.

    ``overrides`` replaces sources' ``base_url`` (or a sql source's ``dsn``) by
    source name (``C360_SOURCE_URLS``; tests and the bench point the demo config
    at ephemeral ports with it). A name the file does not declare, or a
    ``${VAR}`` that is unset and has no default, stops the load: a typo must not
    send the gateway to a default URL or an empty ``Bearer`` token.
    """
    file = Path(path)
    try:
        raw = load_yaml(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read source config: {exc.strerror}") from exc
    except YamlProblem as exc:
        raise ConfigError(f"{file}: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: expected a mapping with a 'sources' key at the top")
    declared = raw.get("sources")
    sources: dict[str, Any] = declared if isinstance(declared, dict) else {}
    unknown = sorted(set(overrides or {}) - set(sources))
    if unknown:
        raise ConfigError(
            f"{overrides_from}: unknown source {', '.join(repr(n) for n in unknown)}; "
            f"{file} declares {', '.join(sources) or 'none'}"
        )
    replaced: set[tuple[str, ...]] = set()
    for name, url in (overrides or {}).items():
        source = sources[name]
        if isinstance(source, dict):
            field = "dsn" if source.get("kind") == "sql" else "base_url"
            source[field] = url
            replaced.add(("sources", name, field))
    unset: list[str] = []
    raw = _interpolate(raw, (), replaced, unset)
    if unset:
        raise ConfigError(f"{file}: {unset[0]}")
    return parse_sources_config(
        raw, origin=str(file), set_by={path: overrides_from for path in replaced}
    )


def parse_sources_config(
    raw: dict[str, Any],
    origin: str = "<memory>",
    set_by: dict[tuple[str, ...], str] | None = None,
) -> SourcesConfig:
    """Validate an already-parsed config mapping; errors name ``origin``, source and field,
    and the variable a value came from when ``set_by`` names one (``C360_SOURCE_URLS``)."""
    try:
        config = SourcesConfig.model_validate({**raw, "origin": origin})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin, set_by or {})) from None
    _check_links(config)
    return config


def _check_links(config: SourcesConfig) -> None:
    """Every link names a declared source, and every ``link`` lookup is reached by some link.

    A typo in either place would otherwise be silence: no records, no error.
    """
    origin = config.origin
    linked: set[str] = set()
    for name, source in config.sources.items():
        for entity_name, entity in source.entities.items():
            for system in entity.links:
                where = f"source '{name}', entity '{entity_name}', field 'links.{system}'"
                if system not in config.sources:
                    raise ConfigError(
                        f"{origin}: invalid source config\n  {where}: no source named "
                        f"'{system}' (declared: {', '.join(config.sources)})"
                    )
                linked.add(system)
    for name, source in config.sources.items():
        for entity_name, entity in source.entities.items():
            if LINK in entity.lookups and name not in linked:
                raise ConfigError(
                    f"{origin}: invalid source config\n  source '{name}', entity "
                    f"'{entity_name}', field 'lookups.{LINK}': no entity declares a link to "
                    f"'{name}' (add links: {{ {name}: {{ from: <field> }} }} where its ids are "
                    "held)"
                )


_FIELD_BRANCHES = ("str", "FieldSpec")
"""The branches of a field mapping (``id: ticketRef`` or ``{from: ..., format: ...}``), which
pydantic names in an error's location; the user wrote neither word."""


def _describe(exc: ValidationError, origin: str, set_by: dict[tuple[str, ...], str]) -> str:
    lines = [f"{origin}: invalid source config"]
    errors = exc.errors()
    for error in errors:
        loc = [str(part) for part in error["loc"]]
        if loc[-1:] == ["str"] and isinstance(error["input"], dict):
            continue  # a mapping was written: its own error says what is wrong, not "not text"
        if loc[-1:] == ["FieldSpec"] and error["type"] == "model_type":
            continue  # no mapping was written: the text branch's error says what is wrong
        loc = [part for part in loc if part not in _FIELD_BRANCHES]
        if len(loc) >= 3 and loc[0] == "sources" and loc[2] in SOURCE_KINDS:
            del loc[2]  # the discriminator's tag: the user wrote no field of that name
        message = error["msg"]
        if loc[-1:] == ["format"] and error["type"] == "string_pattern_mismatch":
            message = (
                f"expected a strptime pattern such as %d/%m/%Y (or epoch_s, epoch_ms), "
                f"got {error['input']!r}"
            )
        if error["type"] == "source_lookup":
            loc.extend(str(error["ctx"]["where"]).split("."))
        elif error["type"] in ("union_tag_not_found", "union_tag_invalid"):
            loc.append("kind")
            message = f"expected one of {', '.join(SOURCE_KINDS)}"
        where = ".".join(loc)
        if len(loc) >= 2 and loc[0] == "sources":
            where = f"source '{loc[1]}', field '{'.'.join(loc[2:]) or '(itself)'}'"
        variable = set_by.get(tuple(loc))
        if variable is not None:
            where += f" (its value is {variable}'s, not the file's)"
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)


def _interpolate(
    value: Any, where: tuple[str, ...], literal: set[tuple[str, ...]], unset: list[str]
) -> Any:
    """``value`` with ``${VAR}``/``${VAR:-default}`` filled; each unset one is noted in ``unset``.

    Values at ``literal`` paths (overrides) are taken as they are.
    """
    if isinstance(value, str):
        if where in literal or "${" not in value:
            return value
        return _ENV.sub(lambda m: _variable(m, where, unset), value)
    if isinstance(value, dict):
        return {k: _interpolate(v, (*where, str(k)), literal, unset) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, (*where, str(i)), literal, unset) for i, v in enumerate(value)]
    return value


def _variable(match: re.Match[str], where: tuple[str, ...], unset: list[str]) -> str:
    name, default = match.group(1), match.group(2)
    found = os.environ.get(name)
    if found is not None:
        return found
    if default is not None:
        return default
    place = ".".join(where)
    if len(where) >= 3 and where[0] == "sources":
        place = f"source '{where[1]}', field '{'.'.join(where[2:])}'"
    unset.append(
        f"{place}: environment variable {name} is not set "
        f"(set it, or give a default: ${{{name}:-...}})"
    )
    return ""
