"""A source's budget: how many calls per second, at once, and per request we may make to it.

CRMs and other SaaS sources have API quotas; a small database has few
connections. The budget is enforced where a request is about to reach the
source (``ResilientConnector._attempt``: one per ``max_batch`` keys, one per key
for a ``{key}`` lookup; a retry is another), so cache hits and coalesced calls
cost nothing and a quota counts what the source counts.
A call over the rate or the concurrency queues within the time it has left, or
is refused at once with ``SourceBudgetExceeded`` when it could not start in time:
a request that would only time out in the queue learns it now, by name.

Calls per request are counted in a context variable that the per-request
loaders start (``count_calls_of_request``, as ``sources.freshness`` does for
stale notes): without one (a background breaker probe, a test's bare
connector) no per-request limit applies.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from contextvars import ContextVar
from weakref import WeakSet

from sources.config import Budget
from sources.errors import SourceBudgetExceeded
from sources.metrics import BUDGET_REFUSALS, INFLIGHT_CALLS

QUEUE_SHARE = 0.8
"""Of the time a call has left, the share it may spend waiting for the budget.

The rest is for the call itself: a call that starts with nothing left only times
out, and the refusal (which names the budget) must reach the caller before its
own deadline does (which would name nothing but a timeout).
"""

_CALLS: ContextVar[Counter[str] | None] = ContextVar("c360_source_calls", default=None)


def count_calls_of_request() -> Counter[str]:
    """Start counting source calls for the current request; returns the counter (by source)."""
    calls: Counter[str] = Counter()
    _CALLS.set(calls)
    return calls


_BUDGETS: dict[str, WeakSet[SourceBudget]] = {}
"""The live budgets of each source (one per process, more where tests build runtimes)."""


def _count_in_flight(budget: SourceBudget) -> None:
    """``c360_source_inflight_calls`` reads the source's budgets when it is scraped.

    Every call is counted by its budget anyway (``in_flight``); a gauge moved up and
    down on each call cost two locked updates per source call on the hot path.
    """
    live = _BUDGETS.get(budget.source)
    if live is None:
        live = _BUDGETS[budget.source] = WeakSet()
        INFLIGHT_CALLS.labels(budget.source).set_function(
            lambda: float(sum(b.in_flight for b in list(live)))
        )
    live.add(budget)


class SourceBudget:
    """One source's budget and what it is using now; one per source per process."""

    def __init__(self, source: str, budget: Budget) -> None:
        self.source = source
        self.budget = budget
        self.unlimited = budget.unlimited
        self._slots = asyncio.Semaphore(budget.concurrency) if budget.concurrency else None
        self._rate = budget.rate_per_s
        self._capacity = budget.bucket_size
        self._tokens = self._capacity
        self._refilled_at: float | None = None
        self.in_flight = 0
        self.queued = 0
        self.refused: Counter[str] = Counter()
        _count_in_flight(self)

    async def acquire(self, entity: str, remaining: float, *, slot: bool = True) -> float:
        """Wait for the budget to allow one call; the time left for the call itself.

        Raises ``SourceBudgetExceeded`` (naming the budget) when this request has
        made its ``max_calls_per_request``, or when the rate or a free slot would
        not come within ``QUEUE_SHARE`` of ``remaining``. Every successful
        ``acquire`` must be followed by one ``release`` (with the same ``slot``).
        ``slot=False`` is for a further request of a call that holds a slot
        already (a page after the first: a call's pages are sequential), counted
        against the rate and ``max_calls_per_request`` only.
        """
        if self.unlimited:
            self.started()
            return remaining
        budget = self.budget
        calls = _CALLS.get() if budget.max_calls_per_request is not None else None
        if calls is not None and budget.max_calls_per_request is not None:
            if calls[self.source] >= budget.max_calls_per_request:
                raise self._refuse(
                    "max_calls_per_request",
                    f"this request already made {calls[self.source]} calls "
                    f"(max_calls_per_request {budget.max_calls_per_request})",
                    entity,
                )
            calls[self.source] += 1
        try:
            return await self._admitted(entity, remaining, slot=slot)
        except SourceBudgetExceeded:
            if calls is not None:
                calls[self.source] -= 1  # refused: no call was made
            raise

    def release(self, *, slot: bool = True) -> None:
        self.in_flight -= 1
        if self._slots is not None and slot:
            self._slots.release()

    def snapshot(self) -> dict[str, object]:
        """For ``/readyz``: the limits (``None``: unlimited) and what they are doing now."""
        return {
            "rate_per_s": self.budget.rate_per_s,
            "burst": self._capacity if self._rate is not None else None,
            "concurrency": self.budget.concurrency,
            "max_calls_per_request": self.budget.max_calls_per_request,
            "in_flight": self.in_flight,
            "queued": self.queued,
            "refused": dict(self.refused),
        }

    async def _admitted(self, entity: str, remaining: float, *, slot: bool) -> float:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + remaining
        may_wait = remaining * QUEUE_SHARE
        if self._rate is not None:
            wait = self._reserve_token(loop.time(), may_wait)
            if wait is None:
                raise self._refuse(
                    "rate_per_s",
                    f"over its rate ({self._rate:g} calls/s, burst {self._capacity:g}); "
                    f"no call possible within {may_wait * 1000:.0f} ms",
                    entity,
                )
            if wait > 0:
                await self._queue(asyncio.sleep(wait))
        if self._slots is not None and slot:
            may_wait = max(0.0, deadline - loop.time() - remaining * (1 - QUEUE_SHARE))
            if self._slots.locked() or self.queued:
                try:
                    async with asyncio.timeout(may_wait):
                        await self._queue(self._slots.acquire())
                except TimeoutError:
                    raise self._refuse(
                        "concurrency",
                        f"all {self.budget.concurrency} concurrent calls busy "
                        f"for {may_wait * 1000:.0f} ms",
                        entity,
                    ) from None
            else:
                await self._slots.acquire()  # free: returns at once
        self.started()
        return deadline - loop.time()

    def _reserve_token(self, now: float, may_wait: float) -> float | None:
        """Take one token (possibly one not there yet); how long until it is, or None: too long."""
        rate = self._rate
        assert rate is not None
        if self._refilled_at is not None:
            self._tokens = min(self._capacity, self._tokens + (now - self._refilled_at) * rate)
        self._refilled_at = now
        wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / rate
        if wait > may_wait:
            return None
        self._tokens -= 1  # below zero: the calls queued before this one hold the tokens to come
        return wait

    async def _queue(self, wait: Awaitable[object]) -> None:
        self.queued += 1
        try:
            await wait
        finally:
            self.queued -= 1

    def started(self) -> None:
        """One call admitted without waiting (all ``acquire`` does for an unlimited budget)."""
        self.in_flight += 1

    def _refuse(self, budget: str, message: str, entity: str) -> SourceBudgetExceeded:
        self.refused[budget] += 1
        BUDGET_REFUSALS.labels(self.source, budget).inc()
        return SourceBudgetExceeded(
            self.source, budget, f"budget exceeded: {message}", entity=entity
        )
