"""Everything between a request and a source that keeps a flaky source from hurting us.

Wraps any connector with, from the outside in: the response cache (fresh hits
skip the source; on failure, stale entries are served and noted), coalescing
of identical calls already in flight and gathering of concurrent requests'
small calls into one (``sources.gathering``), a circuit breaker (a dead source fails
fast; after its cool-down one background probe, never a user's request, checks
whether it is back), and bounded, jittered retries of idempotent reads — all
within the caller's time budget.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from sources.arguments import NOTHING_PUSHED, Pushed, PushingConnector, cache_suffix
from sources.base import Connector, RawRecord, SizedAnswers
from sources.breaker import Admission, Breakers
from sources.budget import SourceBudget
from sources.cache import CachedEntry, ResponseCache, entry_bytes
from sources.config import SourceBase
from sources.errors import (
    SourceBadResponse,
    SourceBudgetExceeded,
    SourceError,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
)
from sources.freshness import StaleNote, note_stale
from sources.gathering import FLIGHT_KEYS, GATHERED_KEYS, Flight, Gatherings
from sources.metrics import (
    BREAKER_CODES,
    BREAKER_STATE,
    CACHE_LOOKUPS,
    CACHE_REFUSED,
    COALESCED,
    FAST_FAILS,
    GATHERED,
    SOURCE_LATENCY,
    SOURCE_REQUESTS,
    SOURCE_RETRIES,
)
from sources.rest import RestConnector

log = logging.getLogger("c360.sources")

Answer = list[Any] | SourceError
"""Per key: the records (mapped, when the caller gave a mapping), or the error in their place."""

MapRecords = Callable[[list[RawRecord]], list[Any]]
"""A caller's mapping of one key's raw records (each record on its own; it may get a slice).

Raises ``SourceBadResponse`` for a record that does not fit: that answer is then
a failure of the source (its breaker hears of it) and is never cached.
"""

RawAnswer = list[RawRecord] | SourceError
"""Per key, what the source answered: its raw records (what the cache keeps), or the error."""

Signature = tuple[str, str, tuple[str, ...], MapRecords | None, Pushed]
"""What a call asks: entity, lookup kind, keys, mapping and pushed arguments."""

MIN_ATTEMPT_S = 0.001
"""An attempt with less time than this left is not made (``SourceTimeout``)."""

MAPPED_HITS_KEPT = 64
"""Cache entries per source whose mapped records are kept for the next hit (least recent go)."""

MAP_STEP_RECORDS = 2_000
"""Records mapped between two turns of the event loop: a huge answer does not stall others."""


@dataclass(slots=True)
class Checked:
    """One call's answer after every check: what to cache, what to hand out, what failed.

    Shared by every caller of a coalesced call; only ``cached`` ever changes.
    """

    raws: list[RawAnswer]
    answers: list[Answer]
    """``raws`` mapped (the very list ``raws`` when there was no mapping)."""
    failed: SourceError | None
    """The first key's error, if any key failed: the call then counts as a failure.

    Not a key our own budget refused to ask for: the source never heard of it.
    """
    whole: bool
    """Every key answered and passed every check (the usual answer)."""
    cached: bool = False
    """Its answers were written to the cache: the callers of a coalesced call write them once."""

    def cacheable(self) -> list[bool]:
        """Per key, whether its answer passed every check (only those are cached)."""
        return [
            not isinstance(raw, SourceError) and not isinstance(answer, SourceError)
            for raw, answer in zip(self.raws, self.answers, strict=True)
        ]


@dataclass(slots=True)
class SourceStatus:
    """What ``/readyz`` says about one source."""

    breaker: str = "closed"
    last_ok_at: float | None = None
    last_error_at: float | None = None
    last_error: str | None = None
    last_error_code: str | None = None
    calls: int = 0
    """Calls that reached the source (breaker probes included)."""
    failures: int = 0
    """Of those, the ones that failed (an answer that failed its checks included)."""
    fast_fails: int = 0
    """Calls an open breaker refused without asking the source."""
    budget: SourceBudget | None = None
    """The source's budget: its limits, calls in flight and queued, refusals."""

    def snapshot(self) -> dict[str, object]:
        return {
            "breaker": self.breaker,
            "last_ok_at": self.last_ok_at,
            "last_error_at": self.last_error_at,
            "last_error": self.last_error,
            "last_error_code": self.last_error_code,
            "calls": self.calls,
            "failures": self.failures,
            "fast_fails": self.fast_fails,
            "budget": self.budget.snapshot() if self.budget is not None else None,
        }


class ResilientConnector:
    """A connector with cache, coalescing, breaker and retries in front of it."""

    def __init__(
        self,
        inner: Connector,
        source: SourceBase,
        breakers: Breakers,
        cache: ResponseCache | None,
        *,
        coalesce: bool = True,
    ) -> None:
        self.name = inner.name
        self.inner = inner
        self._resilience = source.resilience
        self._timeout_s = source.timeout_ms / 1000
        self._cache = cache
        self._max_entry_bytes = source.resilience.cache_max_entry_bytes
        self._coalesce = coalesce
        self._ttl = {
            name: spec.cache_ttl_s
            if spec.cache_ttl_s is not None
            else source.resilience.cache_ttl_s
            for name, spec in source.entities.items()
        }
        self._mapped_hits: OrderedDict[str, tuple[CachedEntry, MapRecords, list[Any]]] = (
            OrderedDict()
        )
        """Fresh hits of the in-process cache as mapped, by cache key (``_fill_hits``)."""
        self._inflight: dict[Signature, tuple[Flight[Checked], list[int]]] = {}
        """Each call in flight (or gathering), by what it was asked: an identical call shares it."""
        self._gatherings: Gatherings[Checked] = Gatherings()
        self._gathered = {
            (entity, kind): min(FLIGHT_KEYS, lookup.max_batch)
            for entity, spec in source.entities.items()
            for kind, lookup in spec.lookups.items()
            if not lookup.per_key
        }
        """The lookups whose small concurrent calls are gathered into one, and the most keys
        such a call asks (``sources.gathering``)."""
        self._entities = source.entities
        self._budget = SourceBudget(self.name, source.budget)
        if isinstance(inner, RestConnector):
            inner.page_budget = self._budget  # each page after a call's first is a request too
        self.status = SourceStatus(budget=self._budget)
        self._breaker = breakers.for_source(
            self.name,
            failures=source.resilience.breaker.failures,
            cooldown_s=source.resilience.breaker.cooldown_s,
        )
        self._probe: asyncio.Task[None] | None = None
        # Metric children bound once: ``labels()`` on every call is measurable on the hot path.
        self._fresh_hits = CACHE_LOOKUPS.labels(self.name, "fresh")
        self._misses = CACHE_LOOKUPS.labels(self.name, "miss")
        self._stale_hits = CACHE_LOOKUPS.labels(self.name, "stale")
        self._cache_refused = CACHE_REFUSED.labels(self.name)
        self._ok = SOURCE_REQUESTS.labels(self.name, "ok")
        self._latency = SOURCE_LATENCY.labels(self.name)
        self._breaker_gauge = BREAKER_STATE.labels(self.name)
        self._coalesced = COALESCED.labels(self.name)
        self._gathered_calls = GATHERED.labels(self.name)
        self._fast_fails = FAST_FAILS.labels(self.name)
        self._breaker_gauge.set(0)

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        for flight, _ in list(self._inflight.values()):
            if flight.task is not None:
                flight.task.cancel()
        probe = self._probe
        if probe is not None and not probe.done():
            probe.cancel()
            await asyncio.wait([probe])  # it must not outlive the inner connector it calls
        await self.inner.close()

    async def fetch(
        self,
        entity: str,
        kind: str,
        keys: Sequence[str],
        *,
        timeout_s: float,
        mapped_by: MapRecords | None = None,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> list[Answer]:
        """Per key, in order: its records (``mapped_by`` them when given), or the SourceError.

        Only answers that passed every check (the connector's, then ``mapped_by``)
        are cached; a key whose answer failed gets its stale entry, if any, or the error.
        ``arguments`` (pushed field arguments) are sent along and kept apart in the cache.
        """
        ttl = self._ttl.get(entity, 0.0)
        keep_s = max(ttl, self._resilience.stale_for_s)
        use_cache = self._cache is not None and keep_s > 0
        suffix = cache_suffix(arguments)
        cache_keys = [f"{self.name}/{entity}/{kind}/{key}{suffix}" for key in keys]
        cached: list[CachedEntry | None] = (
            await self._cache.get_many(cache_keys)
            if use_cache and self._cache
            else [None] * len(keys)
        )
        now = time.time()
        answers: list[Answer | None] = [
            entry.records if entry is not None and entry.fresh_until > now else None
            for entry in cached
        ]
        missing = [i for i, answer in enumerate(answers) if answer is None]
        hits = len(keys) - len(missing)
        if use_cache:
            if hits:
                self._fresh_hits.inc(hits)
            if missing:
                self._misses.inc(len(missing))
        if hits and mapped_by is not None:
            hit_at = [i for i, answer in enumerate(answers) if answer is not None]
            await self._fill_hits(answers, hit_at, cached, cache_keys, mapped_by)
        if not missing:
            return [a if a is not None else [] for a in answers]
        every_key = len(missing) == len(keys)  # the usual case: nothing fresh in the cache
        asked = list(keys) if every_key else [keys[i] for i in missing]
        try:
            checked = await self._call(entity, kind, asked, timeout_s, mapped_by, arguments)
        except SourceError as call_error:
            every = [call_error] * len(missing)
            checked = Checked(list(every), list(every), call_error, whole=False)
        if every_key and checked.whole:  # the usual answer: all of it, all good
            if use_cache and self._cache is not None and not checked.cached:
                checked.cached = True
                entries = self._entries(
                    zip(cache_keys, checked.raws, strict=True), now, now + ttl, checked.raws
                )
                if entries:
                    await self._cache.set_many(entries, keep_s=keep_s)
            return list(checked.answers)
        fresh: list[tuple[str, RawAnswer]] = []
        stale: list[int] = []
        ok = checked.cacheable()
        for j, i in enumerate(missing):
            answer = checked.answers[j]
            raw = checked.raws[j]
            if ok[j] and not isinstance(raw, SourceError):
                answers[i] = answer
                if use_cache:
                    fresh.append((cache_keys[i], raw))
                continue
            error = answer if isinstance(answer, SourceError) else raw
            assert isinstance(error, SourceError)
            entry = cached[i]
            if entry is not None and now - entry.stored_at <= keep_s:
                answers[i] = entry.records
                stale.append(i)
                self._stale_hits.inc()
                note_stale(StaleNote(self.name, entity, entry.stored_at, error.code))
            else:
                answers[i] = error
        if stale and mapped_by is not None:
            await self._fill(answers, stale, cached, mapped_by)
        if fresh and self._cache is not None and not checked.cached:
            checked.cached = True
            entries = self._entries(fresh, now, now + ttl, checked.raws)
            if entries:
                await self._cache.set_many(entries, keep_s=keep_s)
        return [a if a is not None else [] for a in answers]

    def _entries(
        self,
        answered: Iterable[tuple[str, RawAnswer]],
        stored_at: float,
        fresh_until: float,
        raws: list[RawAnswer],
    ) -> dict[str, CachedEntry]:
        """Cache entries of the keys answered well, but none over ``cache_max_entry_bytes``.

        A larger answer is served to its callers and then let go: kept as stale
        for an hour, a sick source's megabytes would stay resident (measured: 7.5 MB
        answers held the gateway at twice its starting RSS). When the whole answer
        (``raws``, from a connector that counted its bytes) is within the limit, each
        key's entry is too and is sized by its share of records; otherwise each is encoded.
        """
        limit = self._max_entry_bytes
        body_bytes = raws.body_bytes if isinstance(raws, SizedAnswers) else None
        per_record = 0
        if body_bytes is not None and body_bytes <= limit:
            records_in_all = sum(len(r) for r in raws if not isinstance(r, SourceError))
            per_record = body_bytes // max(1, records_in_all) + 1
        entries: dict[str, CachedEntry] = {}
        refused = 0
        for key, records in answered:
            if isinstance(records, SourceError):
                continue
            size = per_record * len(records) if per_record else entry_bytes(records, limit)
            if size is None:
                refused += 1
            else:
                entries[key] = CachedEntry(records, stored_at, fresh_until, size)
        if refused:
            self._cache_refused.inc(refused)
        return entries

    async def _fill_hits(
        self,
        answers: list[Answer | None],
        at: list[int],
        cached: list[CachedEntry | None],
        cache_keys: list[str],
        mapped_by: MapRecords,
    ) -> None:
        """``_fill`` for fresh hits: an entry mapped before by the same mapping is not mapped again.

        The in-process cache hands out the very entry it stored until it is replaced,
        so a hit on it (the RFM population, 300 s) is mapped once, not on every
        request; a Redis cache hands out a new entry each time, mapped anew. Callers
        get a list of their own: what they do with it stays theirs.
        """
        kept = self._mapped_hits
        to_map: list[int] = []
        for i in at:
            found = kept.get(cache_keys[i])
            if found is not None and found[0] is cached[i] and found[1] == mapped_by:
                answers[i] = list(found[2])
                kept.move_to_end(cache_keys[i])
            else:
                to_map.append(i)
        if not to_map:
            return
        await self._fill(answers, to_map, cached, mapped_by)
        for i in to_map:
            entry, answer = cached[i], answers[i]
            if entry is not None and isinstance(answer, list):
                kept[cache_keys[i]] = (entry, mapped_by, list(answer))
                kept.move_to_end(cache_keys[i])
        while len(kept) > MAPPED_HITS_KEPT:
            kept.popitem(last=False)

    @staticmethod
    async def _fill(
        answers: list[Answer | None],
        at: list[int],
        cached: list[CachedEntry | None],
        mapped_by: MapRecords,
    ) -> None:
        """Put the cached records of the keys ``at``, mapped, into ``answers``."""
        raws: list[RawAnswer] = []
        for i in at:
            entry = cached[i]
            raws.append(entry.records if entry is not None else [])
        mapped = await mapped_in_steps(raws, mapped_by)
        for i, answer in zip(at, mapped, strict=True):
            answers[i] = answer

    async def _remember(
        self,
        entity: str,
        kind: str,
        keys: Sequence[str],
        checked: Checked,
        asked_at: float,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> None:
        """Cache what the source answered well, so later calls (or its failures) can use it."""
        ttl = self._ttl.get(entity, 0.0)
        keep_s = max(ttl, self._resilience.stale_for_s)
        if self._cache is None or keep_s <= 0:
            return
        suffix = cache_suffix(arguments)
        answered = [
            (f"{self.name}/{entity}/{kind}/{key}{suffix}", raw)
            for key, raw, ok in zip(keys, checked.raws, checked.cacheable(), strict=True)
            if ok
        ]
        fresh = self._entries(answered, asked_at, asked_at + ttl, checked.raws)
        if fresh:
            await self._cache.set_many(fresh, keep_s=keep_s)

    async def _call(
        self,
        entity: str,
        kind: str,
        keys: list[str],
        timeout_s: float,
        mapped_by: MapRecords | None,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> Checked:
        """One guarded call, shared with any identical call in flight and gathered with others.

        The calls other requests make of the same lookup in the same turn of the loop
        become one source call (``sources.gathering``); each caller gets its own keys'
        answers, and waits no longer than its own ``timeout_s``.
        """
        if not self._coalesce:
            return await self._guarded(entity, kind, keys, timeout_s, mapped_by, arguments)
        signature: Signature = (entity, kind, tuple(keys), mapped_by, arguments)
        shared = self._inflight.get(signature)
        if shared is not None and shared[0].taking():
            self._coalesced.inc()
            flight, positions = shared
            flight.allow(timeout_s)
        else:

            def call(flight: Flight[Checked]) -> Coroutine[Any, Any, Checked]:
                # Every key the flight gathered, called from its task's own frame.
                return self._guarded(
                    entity, kind, flight.keys, flight.timeout_s, mapped_by, arguments
                )

            most = self._gathered.get((entity, kind), 0) if len(keys) <= GATHERED_KEYS else 0
            if most:
                group = (entity, kind, mapped_by, arguments)
                flight = self._gatherings.flight(group, len(keys), most, call)
                if flight.keys:  # another request's call, still taking keys
                    self._gathered_calls.inc()
                positions = flight.join(keys, timeout_s)  # before the task's first step
            else:  # a batch already, or one request per key: nothing to gain by company
                flight = Flight()
                positions = flight.join(keys, timeout_s)
                flight.task = asyncio.get_running_loop().create_task(call(flight))
                flight.started = True  # a call nobody joins, made as its caller asked it
            self._inflight[signature] = (flight, positions)
            task = flight.task
            assert task is not None
            task.add_done_callback(lambda done: self._forget(signature, done))
        task = flight.task
        assert task is not None
        if not await _waited(task, timeout_s):
            raise SourceTimeout(
                self.name, f"no answer within {timeout_s * 1000:.0f} ms", entity=entity
            ) from None
        return _share(task.result(), positions, len(flight.keys))

    def _forget(self, signature: Signature, done: asyncio.Task[Checked]) -> None:
        shared = self._inflight.get(signature)
        if shared is not None and shared[0].task is done:
            del self._inflight[signature]
        if not done.cancelled():
            done.exception()  # retrieved here, so an unawaited failure is not logged as lost

    async def _guarded(
        self,
        entity: str,
        kind: str,
        keys: list[str],
        timeout_s: float,
        mapped_by: MapRecords | None,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> Checked:
        """One call through the breaker, its retries and the answer's checks.

        Written as one coroutine on purpose: every frame on the stack is resumed
        at each wait of the HTTP exchange, and this is every source call's path.
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + timeout_s
        admission = self._breaker.admit()
        if admission is Admission.PROBE:
            self._start_probe(entity, kind, keys, mapped_by, arguments)
        if admission is not Admission.CALL:
            # Not a source request: counted apart, so the request metric is what the source saw.
            self._observe_breaker()
            self.status.fast_fails += 1
            self._fast_fails.inc()
            raise SourceUnavailable(
                self.name, "circuit breaker is open after repeated failures", entity=entity
            )
        self.status.calls += 1
        try:
            try:  # the first attempt runs bare; tenacity (and its cost) only joins after a failure
                remaining = deadline - loop.time()
                budget = self._budget
                if budget.unlimited and remaining > MIN_ATTEMPT_S:
                    # ``_attempt``'s usual case, awaited here: no frame more on the stack.
                    budget.started()
                    try:
                        answers = await self._inner_fetch(entity, kind, keys, remaining, arguments)
                    finally:
                        budget.release()
                    raws = _raws(answers)
                else:
                    raws = await self._attempt(entity, kind, keys, remaining, arguments)
            except (SourceUnavailable, SourceTimeout) as error:
                if self._resilience.retries == 0:
                    raise
                raws = await self._retried(entity, kind, keys, deadline, arguments, error)
            result = _checked(raws, await _mapped(raws, mapped_by))
        except BaseException as exc:
            self._call_failed(admission, exc, started)
            raise
        return self._call_answered(admission, result, started)

    def _call_failed(self, admission: Admission, exc: BaseException, started: float) -> None:
        """Tell the breaker, ``status`` and metrics about an admitted call that raised ``exc``."""
        if isinstance(exc, SourceBudgetExceeded):
            # Our own refusal: the source never heard of this call, its breaker neither.
            self.status.calls -= 1
            self._breaker.abandoned(admission)
            self._observe_breaker()
        elif isinstance(exc, SourceError):
            self._failed(admission, exc)
            self._latency.observe(asyncio.get_running_loop().time() - started)
        elif isinstance(exc, asyncio.CancelledError):
            self._breaker.abandoned(admission)
            self._observe_breaker()
        elif isinstance(exc, Exception):
            self._breaker.failed(admission)  # a bug must not leave a probe out for ever
            self._observe_breaker()

    def _call_answered(self, admission: Admission, result: Checked, started: float) -> Checked:
        """Tell the breaker, ``status`` and metrics about an admitted call that answered.

        An answer with a failed key (a record that did not fit, another key's
        echo) is a failure of the source, though its other keys are served.
        """
        self._latency.observe(asyncio.get_running_loop().time() - started)
        if result.failed is not None:
            self._failed(admission, result.failed)
            return result
        self._breaker.succeeded(admission)
        self._observe_breaker()
        self.status.last_ok_at = time.time()
        self._ok.inc()
        return result

    def _failed(self, admission: Admission, error: SourceError) -> None:
        if isinstance(error, SourceRejected):  # a 4xx: the source is alive, our request is wrong
            self._breaker.succeeded(admission)
        else:
            self._breaker.failed(admission)
        self._observe_breaker()
        self._record_failure(error)

    def _start_probe(
        self,
        entity: str,
        kind: str,
        keys: list[str],
        mapped_by: MapRecords | None,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> None:
        """Probe with the caller's own fetch, in the background: no user waits on a sick source."""
        self.status.calls += 1
        # A context of its own: the probe outlives the request and must not write to its notes.
        probe = asyncio.get_running_loop().create_task(
            self._run_probe(entity, kind, keys, mapped_by, arguments),
            name=f"c360 breaker probe of {self.name}",
            context=contextvars.Context(),
        )
        probe.add_done_callback(self._probe_done)
        self._probe = probe

    async def _run_probe(
        self,
        entity: str,
        kind: str,
        keys: list[str],
        mapped_by: MapRecords | None,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> None:
        asked_at = time.time()
        started = asyncio.get_running_loop().time()
        try:
            raws = await self._probe_attempt(entity, kind, keys, arguments)
            fetched = _checked(raws, await _mapped(raws, mapped_by))
        except BaseException as exc:
            self._call_failed(Admission.PROBE, exc, started)
            if isinstance(exc, SourceError):
                return  # counted; the breaker is open for another cool-down
            raise
        fetched = self._call_answered(Admission.PROBE, fetched, started)
        await self._remember(entity, kind, keys, fetched, asked_at, arguments)

    async def _probe_attempt(
        self, entity: str, kind: str, keys: list[str], arguments: Pushed = NOTHING_PUSHED
    ) -> list[RawAnswer]:
        """One attempt within the source's own timeout (no caller's deadline applies).

        No retries: the probe asks whether the source is back, and retrying a sick
        source only adds to its load.
        """
        try:
            async with asyncio.timeout(self._timeout_s):
                return await self._attempt(entity, kind, keys, self._timeout_s, arguments)
        except TimeoutError:
            raise SourceTimeout(
                self.name,
                f"probe got no answer within {self._timeout_s * 1000:.0f} ms",
                entity=entity,
            ) from None

    def _probe_done(self, probe: asyncio.Task[None]) -> None:
        if self._probe is probe:
            self._probe = None
        if not probe.cancelled() and (error := probe.exception()) is not None:
            log.error("source %s: breaker probe crashed", self.name, exc_info=error)

    async def _retried(
        self,
        entity: str,
        kind: str,
        keys: list[str],
        deadline: float,
        arguments: Pushed,
        first_error: SourceUnavailable | SourceTimeout,
    ) -> list[RawAnswer]:
        """The attempts after a first one failed with ``first_error``, with tenacity's backoff."""
        loop = asyncio.get_running_loop()
        SOURCE_RETRIES.labels(self.name).inc()
        backoff = self._resilience.retry_backoff_ms / 1000
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._resilience.retries),
            wait=wait_exponential_jitter(multiplier=backoff, max=1.0, jitter=backoff),
            retry=retry_if_exception_type((SourceUnavailable, SourceTimeout)),
            before_sleep=lambda _state: SOURCE_RETRIES.labels(self.name).inc(),
            reraise=True,
        )
        await asyncio.sleep(random.uniform(0, backoff))
        result: list[RawAnswer] = []
        try:
            async for attempt in retrying:
                with attempt:
                    result = await self._attempt(
                        entity, kind, keys, deadline - loop.time(), arguments
                    )
        except SourceBudgetExceeded:
            # A retry the budget refused: what the caller needs to hear is why the call failed.
            raise first_error from None
        return result

    async def _attempt(
        self,
        entity: str,
        kind: str,
        keys: list[str],
        remaining: float,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> list[RawAnswer]:
        """Per key, the records or the error the inner connector put in their place.

        When every key failed, the first error is raised (and may be retried);
        otherwise the keys that failed fail alone.
        """
        if remaining <= MIN_ATTEMPT_S:
            raise SourceTimeout(self.name, "time budget spent on retries", entity=entity)
        budget = self._budget
        answers: Sequence[list[RawRecord] | Exception]
        if budget.unlimited:  # the usual source: one inner call, no frame more on its stack
            budget.started()
            try:
                answers = await self._inner_fetch(entity, kind, keys, remaining, arguments)
            finally:
                budget.release()
        else:
            answers = await self._requests(entity, kind, keys, remaining, arguments)
        return _raws(answers)

    async def _requests(
        self,
        entity: str,
        kind: str,
        keys: list[str],
        remaining: float,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> Sequence[list[RawRecord] | Exception]:
        """The inner connector's answer, each request it makes admitted by the source's budget.

        A call is as many requests as its lookup makes (one per ``max_batch`` keys,
        or one per key for a ``{key}`` lookup): with a budget they are made here,
        one inner call per request, so the source never sees more than its limits
        allow. A request the budget refuses costs only its keys (their error is
        ``SourceBudgetExceeded``); when every one is refused, the call is.
        """
        budget = self._budget
        lookup = self._entities[entity].lookups[kind]
        step = 1 if lookup.per_key else lookup.max_batch
        if budget.unlimited or len(keys) <= step:
            remaining = await budget.acquire(entity, remaining)
            try:
                return await self._inner_fetch(entity, kind, keys, remaining, arguments)
            finally:
                budget.release()
        groups = [keys[i : i + step] for i in range(0, len(keys), step)]
        parts = await asyncio.gather(
            *(self._requests(entity, kind, group, remaining, arguments) for group in groups),
            return_exceptions=True,
        )
        answers: list[list[RawRecord] | Exception] = []
        for group, part in zip(groups, parts, strict=True):
            if isinstance(part, SourceError):
                answers.extend([part] * len(group))
            elif isinstance(part, BaseException):
                raise part
            else:
                answers.extend(part)
        return answers

    def _inner_fetch(
        self, entity: str, kind: str, keys: list[str], remaining: float, arguments: Pushed
    ) -> Awaitable[Sequence[list[RawRecord] | Exception]]:
        """The inner connector's fetch of ``keys`` (its awaitable: no frame of our own)."""
        if arguments:  # only then: a connector that pushes nothing need not take them
            pushing = cast(PushingConnector, self.inner)
            return pushing.fetch(entity, kind, keys, timeout_s=remaining, arguments=arguments)
        return self.inner.fetch(entity, kind, keys, timeout_s=remaining)

    def _observe_breaker(self) -> None:
        """``status`` and the gauge follow the breaker; the gauge is written when it changes.

        The gauge is per source, and every connector of that source writes it when
        it sees the state change, so it is never left behind.
        """
        state = self._breaker.state
        if state == self.status.breaker:
            return
        log.warning("source %s: circuit breaker %s", self.name, state)
        self.status.breaker = state
        self._breaker_gauge.set(BREAKER_CODES.get(state, 0))

    def _record_failure(self, error: SourceError) -> None:
        self.status.failures += 1
        self.status.last_error_at = time.time()
        self.status.last_error = error.detail
        self.status.last_error_code = error.code
        SOURCE_REQUESTS.labels(self.name, error.code).inc()
        log.warning("source %s failed: %s", self.name, error.detail)


def _raws(answers: Sequence[list[RawRecord] | Exception]) -> list[RawAnswer]:
    """An attempt's answers per key; when every key failed, the first error is raised.

    A failed key fails alone (its error stands in its place); an exception that is no
    source's error is a bug, raised as such.
    """
    failed = [a for a in answers if isinstance(a, Exception)]
    for error in failed:
        if not isinstance(error, SourceError):
            raise error
    if failed and len(failed) == len(answers):
        raise failed[0]
    if isinstance(answers, SizedAnswers):  # kept: the cache sizes its entries by it
        return SizedAnswers(answers, answers.body_bytes)
    return list(answers)  # type: ignore[arg-type]  # every Exception in it is a SourceError


def _checked(raws: list[RawAnswer], answers: list[Answer]) -> Checked:
    """The call's answer per key (``answers``: its records mapped), before anyone trusts it."""
    errors = [a for a in answers if isinstance(a, SourceError)]
    if not errors:
        return Checked(raws, answers, None, whole=True)
    failed = next((e for e in errors if not isinstance(e, SourceBudgetExceeded)), None)
    return Checked(raws, answers, failed, whole=False)


def _share(checked: Checked, positions: list[int], asked: int) -> Checked:
    """One caller's part of a call's answer: its keys' answers, in its order.

    The caller that asked for every key in the call's order (a call nobody joined)
    gets the answer itself. A part of an answer the source sized keeps its share
    of the bytes, so the cache still sizes its entries without encoding them.
    """
    if len(positions) == asked and all(i == at for i, at in enumerate(positions)):
        return checked
    raws: list[RawAnswer] = [checked.raws[i] for i in positions]
    whole_raws = checked.raws
    if isinstance(whole_raws, SizedAnswers):
        records = sum(len(r) for r in whole_raws if not isinstance(r, SourceError))
        mine = sum(len(r) for r in raws if not isinstance(r, SourceError))
        raws = SizedAnswers(raws, whole_raws.body_bytes * mine // max(1, records))
    answers = raws if checked.answers is whole_raws else [checked.answers[i] for i in positions]
    return _checked(raws, answers)


async def _mapped(raws: list[RawAnswer], mapped_by: MapRecords | None) -> list[Answer]:
    """``raws`` mapped by ``mapped_by`` (``raws`` themselves when there is no mapping)."""
    if mapped_by is None:
        return cast(list[Answer], raws)
    return await mapped_in_steps(raws, mapped_by)


async def mapped_in_steps(raws: Sequence[RawAnswer], mapped_by: MapRecords) -> list[Answer]:
    """Each key's records mapped, or the error that stands in for them.

    Mapping is plain CPU: every ``MAP_STEP_RECORDS`` records the event loop gets
    a turn, so one huge answer does not hold up every other request.
    """
    answers: list[Answer] = []
    since_turn = 0
    for raw in raws:
        if isinstance(raw, SourceError):
            answers.append(raw)
            continue
        try:
            if len(raw) <= MAP_STEP_RECORDS:
                answers.append(mapped_by(raw))
            else:
                answers.append(await _mapped_long(raw, mapped_by))
        except SourceBadResponse as error:
            answers.append(error)
        since_turn += len(raw)
        if since_turn >= MAP_STEP_RECORDS:
            since_turn = 0
            await asyncio.sleep(0)
    return answers


async def _mapped_long(raw: list[RawRecord], mapped_by: MapRecords) -> list[Any]:
    mapped: list[Any] = []
    for start in range(0, len(raw), MAP_STEP_RECORDS):
        try:
            mapped.extend(mapped_by(raw[start : start + MAP_STEP_RECORDS]))
        except SourceBadResponse as error:
            raise SourceBadResponse(
                error.source, f"{error.detail} (of the records from {start})", entity=error.entity
            ) from None
        await asyncio.sleep(0)
    return mapped


async def _waited(task: asyncio.Future[Any], timeout_s: float) -> bool:
    """Whether ``task`` finished within ``timeout_s``; the task itself is never cancelled.

    What ``asyncio.timeout`` around ``asyncio.shield`` does (one impatient caller
    giving up, or being cancelled, must not cancel the call for the others),
    with one future and one timer instead of a shield, a timeout and their callbacks.
    """
    if task.done():
        return True
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()

    def wake(_: object) -> None:
        if not waiter.done():
            waiter.set_result(None)

    task.add_done_callback(wake)
    timer = loop.call_later(timeout_s, wake, None)
    try:
        await waiter
    finally:
        timer.cancel()
        task.remove_done_callback(wake)
    return task.done()


async def fetch_mapped(
    connector: Connector,
    entity: str,
    kind: str,
    keys: Sequence[str],
    *,
    timeout_s: float,
    mapped_by: MapRecords,
    arguments: Pushed = NOTHING_PUSHED,
) -> list[list[Any] | Exception]:
    """Per key, its records mapped by ``mapped_by``, or the error in their place.

    Through a ``ResilientConnector`` the mapping is one of the answer's checks:
    an answer that fails it is never cached and counts against the source's
    breaker. Any other connector (a test's stand-in) is mapped here, key by key.
    """
    if isinstance(connector, ResilientConnector):
        return list(
            await connector.fetch(
                entity, kind, keys, timeout_s=timeout_s, mapped_by=mapped_by, arguments=arguments
            )
        )
    answers = await connector.fetch(entity, kind, keys, timeout_s=timeout_s)
    mapped: list[list[Any] | Exception] = []
    for answer in answers:
        if isinstance(answer, Exception):
            mapped.append(answer)
            continue
        try:
            mapped.append(mapped_by(answer))
        except SourceBadResponse as error:
            mapped.append(error)
    return mapped


def breaker_factory() -> Breakers:
    """One breaker per source for the process; 4xx answers never trip them (see ``_failed``)."""
    return Breakers()
