"""Per-request dataloaders: one per (source, entity, lookup kind, pushed arguments).

Each batches its keys per tick; calls whose field arguments send the source
different parameters (``orders(limit: 5)`` and ``orders(limit: 2)`` where the
source takes a limit) batch apart, one request per source per distinct set.
Arguments a source does not take send nothing and split nothing.

Fresh for every request (no cross-request leakage; aiodataloader binds to the
running loop on creation), so a query costs one request per source, not one per
customer per field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from aiodataloader import DataLoader, Loader, dispatch_queue

from resolvers.system.runtime import EntityRoute, SourceRuntime
from sources.arguments import NOTHING_PUSHED, Filters, Pushed, pushed
from sources.config import LINK
from sources.errors import SourceTimeout
from sources.freshness import StaleNote, collect_stale_notes
from sources.keys import normalize_key
from sources.resilient import fetch_mapped


class EntityLoader(DataLoader):  # type: ignore[type-arg]
    """Loads the domain records of one source entity for a batch of normalized keys."""

    def __init__(
        self,
        runtime: SourceRuntime,
        route: EntityRoute,
        deadline: float,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> None:
        batching = runtime.batching
        super().__init__(batch=batching, cache=batching)
        self._runtime = runtime
        self._route = route
        self._arguments = arguments
        self._deadline = deadline
        self._connector = runtime.connectors[route.source]
        self._mapper = runtime.mappers[(route.source, route.entity)]

    def do_resolve_reject(self, key: str, future: asyncio.Future[Any]) -> None:
        """aiodataloader's, but its batch is dispatched by a callback, not a task of its own.

        aiodataloader schedules a task whose only step dispatches the queue, two turns
        of the loop after the first load; a callback that schedules the dispatch runs it
        at the same turn, in the same order and context, without a task per batch.
        """
        queue = self._queue
        queue.append(Loader(key=key, future=future))
        if len(queue) == 1:
            if self.batch:
                self.loop.call_soon(self.loop.call_soon, dispatch_queue, self)
            else:
                dispatch_queue(self)

    async def batch_load_fn(self, keys: Sequence[str]) -> list[list[Any] | Exception]:
        route = self._route
        remaining = self._deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise SourceTimeout(
                route.source, "the request's deadline has passed", entity=route.entity
            )
        timeout_s = min(self._runtime.timeout_s(route.source), remaining)
        # Mapping is one of the answer's checks: an answer that fails it is never cached and
        # counts against the source's breaker. A key whose answer is an error rejects that key only.
        return await fetch_mapped(
            self._connector,
            route.entity,
            route.kind,
            keys,
            timeout_s=timeout_s,
            mapped_by=self._mapper.map_many,
            arguments=self._arguments,
        )


class SystemLoaders:
    """The loaders of one request, created on first use, plus the request's deadline."""

    def __init__(self, runtime: SourceRuntime, deadline: float) -> None:
        self.runtime = runtime
        self.deadline = deadline
        self._loaders: dict[EntityRoute, EntityLoader] = {}
        self._pushing: dict[tuple[EntityRoute, Pushed], EntityLoader] = {}
        self._pushed: dict[tuple[EntityRoute, Filters], Pushed] = {}
        """What each route is sent for a set of filters, worked out once per request."""
        # Created in the request's own task, so its context sees only its own notes.
        self.stale: list[StaleNote] = collect_stale_notes()

    def _loader(self, route: EntityRoute, filters: Filters | None = None) -> EntityLoader:
        """The route's loader for what ``filters`` push to it (the plain one when nothing)."""
        arguments = self._pushed_to(route, filters) if filters is not None else NOTHING_PUSHED
        if not arguments:
            loader = self._loaders.get(route)
            if loader is None:
                loader = self._loaders[route] = EntityLoader(self.runtime, route, self.deadline)
            return loader
        pushing = self._pushing.get((route, arguments))
        if pushing is None:
            pushing = self._pushing[(route, arguments)] = EntityLoader(
                self.runtime, route, self.deadline, arguments
            )
        return pushing

    def pushes(self, serves: str, filters: Filters) -> bool:
        """Whether any source of ``serves`` would be sent something for ``filters``."""
        return any(
            self._pushed_to(route, filters)
            for by_kind in self.runtime.routes_by_source(serves)
            for route in by_kind.values()
        )

    def _pushed_to(self, route: EntityRoute, filters: Filters) -> Pushed:
        arguments = self._pushed.get((route, filters))
        if arguments is None:
            arguments = self._pushed[(route, filters)] = pushed(
                route.spec.lookups[route.kind], filters
            )
        return arguments

    async def load(self, serves: str, kind: str, value: object) -> list[Any]:
        """Every record of kind ``serves`` whose ``kind`` key is ``value``, from every source.

        An empty list when the key is missing or no source knows it; a
        ``SourceError`` when a source that serves it failed.
        """
        return await _merged(self.futures(serves, kind, value))

    def futures(self, serves: str, kind: str, value: object) -> list[asyncio.Future[Any]]:
        """The pending loads behind ``load`` (no task is created), one per source."""
        key = normalize_lookup(kind, value)
        if key is None:
            return []
        return [self._loader(route).load(key) for route in self.runtime.routes_for(serves, kind)]

    def future_from(self, route: EntityRoute, value: object) -> asyncio.Future[Any] | None:
        """The pending load of one route (one source's lookup) for ``value``; None if no key."""
        key = normalize_lookup(route.kind, value)
        return None if key is None else self._loader(route).load(key)

    def futures_by_any(
        self, serves: str, keys: Mapping[str, object], filters: Filters | None = None
    ) -> list[asyncio.Future[Any]]:
        """One pending load per source that serves ``serves`` (no task is created).

        ``keys`` are the customer's known identifiers by kind, in order of
        preference; each source is asked by the first kind it has a lookup for
        and the customer has a value of, with what ``filters`` push to that lookup.
        """
        futures = []
        for route in self.runtime.routes_by_source(serves):
            for kind, value in keys.items():
                if kind == LINK:  # ids by system: this source's own, if a link holds any
                    linked = self.futures_by_link(route, value, filters)
                    if linked:
                        futures.extend(linked)
                        break
                    continue
                key = normalize_lookup(kind, value) if kind in route else None
                if key is not None:
                    futures.append(self._loader(route[kind], filters).load(key))
                    break
        return futures

    def futures_by_link(
        self, route: Mapping[str, EntityRoute], links: object, filters: Filters | None = None
    ) -> list[asyncio.Future[Any]]:
        """Loads of a source entity by the ids its ``link`` lookup takes, one per id held.

        ``links`` maps a system to the ids of the customer in it (``CustomerKeys``);
        an entity without a ``link`` lookup, or a customer without an id for its
        source, gets none (then the next kind of key is tried).
        """
        by_link = route.get(LINK)
        if by_link is None or not isinstance(links, Mapping):
            return []
        ids = links.get(by_link.source, ())
        loader = self._loader(by_link, filters)
        keys = [normalize_lookup(LINK, record_id) for record_id in ids]
        return [loader.load(key) for key in keys if key is not None]

    async def load_by_any(
        self, serves: str, keys: Mapping[str, object], filters: Filters | None = None
    ) -> list[Any]:
        """Records of kind ``serves`` from every source that serves them, one lookup per source.

        ``filters`` are pushed where a source takes them; what comes back is not
        filtered here (the process layer filters every answer again).
        """
        return await _merged(self.futures_by_any(serves, keys, filters))


async def _merged(futures: list[asyncio.Future[Any]]) -> list[Any]:
    if len(futures) == 1:  # the usual case: no gather needed
        return list(await futures[0])
    return merge_answers(await asyncio.gather(*futures, return_exceptions=True))


def merge_answers(answers: Sequence[Any]) -> list[Any]:
    """The records of several sources' answers as one list; the first failure is raised."""
    merged: list[Any] = []
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
        merged.extend(answer)
    return merged


def normalize_lookup(kind: str, value: object) -> str | None:
    """The canonical key for a lookup value, or None when it cannot be one of ``kind``."""
    return normalize_key(kind, value) if kind != "location" else _location_key(value)


def _location_key(value: object) -> str | None:
    """Coordinates rounded to 2 decimals (about 1 km): near neighbours share one weather call."""
    if not isinstance(value, tuple) or len(value) != 2 or None in value:
        return None
    latitude, longitude = value
    return f"{float(latitude):.2f},{float(longitude):.2f}"
