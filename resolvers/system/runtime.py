"""The process-wide side of the system layer: connectors, mappers and the index of who serves what.

Built once at start from the source config (so a bad config fails there), shared
by every request; the per-request loaders in ``loaders.py`` sit on top of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from resolvers.system.identity_cache import IdentityCache, identity_cache
from resolvers.system.mapping import RecordMapper, build_mappers
from sources.base import Connector
from sources.cache import MemoryCache, ResponseCache
from sources.config import LINK, Entity, SourcesConfig, load_sources_config
from sources.errors import ConfigError as ConfigError
from sources.redis_cache import RedisCache
from sources.resilient import ResilientConnector, breaker_factory
from sources.rest import RestConnector
from sources.sql import SqlConnector


@dataclass(slots=True, frozen=True, eq=False)
class EntityRoute:
    """One place a kind of record can be fetched from: a source's entity and lookup kind.

    Routes are built once per process; identity equality keys the loaders by route.
    """

    source: str
    entity: str
    kind: str
    spec: Entity


@dataclass(slots=True)
class SourceRuntime:
    """Everything about the configured sources that outlives a request."""

    config: SourcesConfig
    connectors: dict[str, ResilientConnector]
    mappers: dict[tuple[str, str], RecordMapper]
    cache: ResponseCache | None = None
    routes: dict[tuple[str, str], list[EntityRoute]] = field(default_factory=dict)
    serving: dict[str, list[dict[str, EntityRoute]]] = field(default_factory=dict)
    chaining: dict[str, list[EntityRoute]] = field(default_factory=dict)
    """Per source: its ``link`` lookups whose records carry links of their own (a chain's hop)."""
    batching: bool = True
    identity_cache: IdentityCache | None = None
    """Identity lookups remembered across requests (``identity.cache_ttl_s``; None: off)."""

    @classmethod
    def from_config(
        cls,
        config: SourcesConfig,
        *,
        batching: bool = True,
        cache: ResponseCache | None = None,
        identity_cache_ttl_s: float | None = None,
    ) -> SourceRuntime:
        """``identity_cache_ttl_s`` replaces the config's ``identity.cache_ttl_s`` (0: off)."""
        # Unbatched mode exists to measure what batching and caching buy: no cache at all.
        cache = None if not batching else cache if cache is not None else MemoryCache()
        breakers = breaker_factory()
        connectors: dict[str, ResilientConnector] = {}
        for name, source in config.sources.items():
            if source.kind == "rest":
                inner: Connector = RestConnector(name, source)
            elif source.kind == "sql":
                inner = SqlConnector(name, source)
            else:  # pragma: no cover - the config model only admits known kinds
                raise ConfigError(f"{config.origin}: source '{name}': unknown kind {source.kind}")
            connectors[name] = ResilientConnector(inner, source, breakers, cache, coalesce=batching)
        runtime = cls(config, connectors, build_mappers(config), cache, batching=batching)
        if batching:
            ttl_s = config.identity.cache_ttl_s
            ttl_s = ttl_s if identity_cache_ttl_s is None else identity_cache_ttl_s
            runtime.identity_cache = identity_cache(ttl_s, config.identity.cache_max_bytes)
        for source_name, source in config.sources.items():
            for entity_name, entity in source.entities.items():
                by_kind: dict[str, EntityRoute] = {}
                for kind in entity.lookups:
                    route = by_kind[kind] = EntityRoute(source_name, entity_name, kind, entity)
                    runtime.routes.setdefault((entity.serves, kind), []).append(route)
                    if kind == LINK and entity.links:
                        runtime.chaining.setdefault(source_name, []).append(route)
                runtime.serving.setdefault(entity.serves, []).append(by_kind)
        return runtime

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        overrides: dict[str, str] | None = None,
        batching: bool = True,
        redis_url: str | None = None,
        cache_prefix: str = "c360:",
        identity_cache_ttl_s: float | None = None,
    ) -> SourceRuntime:
        """The runtime for a config file; a shared Redis cache when ``redis_url`` is given."""
        cache = RedisCache(redis_url, prefix=cache_prefix) if redis_url else None
        return cls.from_config(
            load_sources_config(path, overrides),
            batching=batching,
            cache=cache,
            identity_cache_ttl_s=identity_cache_ttl_s,
        )

    def routes_for(self, serves: str, kind: str) -> list[EntityRoute]:
        return self.routes.get((serves, kind), [])

    def routes_by_source(self, serves: str) -> list[dict[str, EntityRoute]]:
        """For each (source, entity) serving ``serves``: its routes by lookup kind."""
        return self.serving.get(serves, [])

    def timeout_s(self, source: str) -> float:
        return self.config.sources[source].timeout_ms / 1000

    async def start(self) -> None:
        for connector in self.connectors.values():
            await connector.start()

    async def close(self) -> None:
        for connector in self.connectors.values():
            await connector.close()
        if self.cache is not None:
            await self.cache.close()

    def status(self) -> dict[str, dict[str, object]]:
        """Per source: breaker state, last success, last error (for ``/readyz``)."""
        return {name: c.status.snapshot() for name, c in self.connectors.items()}
