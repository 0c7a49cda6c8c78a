"""The per-source circuit breaker: fail fast while a source is sick, one probe at a time.

Hand-written rather than purgatory because purgatory's half-open state admits
every call, so each cool-down sent a stampede of requests at a sick source.
Here half-open admits exactly one probe; everyone else fails fast until it reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum
from typing import Literal

BreakerState = Literal["closed", "half-opened", "opened"]
"""The names ``/readyz`` and ``BREAKER_CODES`` use."""


class Admission(Enum):
    """What a breaker says to one call that wants to reach the source."""

    CALL = "call"
    """Closed: call the source; the outcome counts towards opening."""
    PROBE = "probe"
    """The one call whose outcome decides whether the source is back."""
    REJECT = "reject"
    """Open, or a probe is already out: fail fast without calling the source."""


class CircuitBreaker:
    """Opens after ``failures`` consecutive failures; after ``cooldown_s`` admits one probe.

    The probe's success closes the breaker, its failure re-opens it for another
    cool-down. Outcomes of calls admitted while closed that end after the breaker
    opened are ignored: the breaker has already acted on what they could tell it.
    Not thread-safe; one event loop owns it.
    """

    def __init__(
        self, failures: int, cooldown_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failures = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._state: BreakerState = "closed"
        self._consecutive = 0
        self._opened_at = 0.0

    @property
    def state(self) -> BreakerState:
        return self._state

    def admit(self) -> Admission:
        """Whether a call may go to the source now; PROBE is handed out once per cool-down."""
        if self._state == "closed":
            return Admission.CALL
        if self._state == "opened" and self._clock() - self._opened_at >= self.cooldown_s:
            self._state = "half-opened"
            return Admission.PROBE
        return Admission.REJECT

    def succeeded(self, admission: Admission) -> None:
        """The source answered (a 4xx counts: it is alive, our request was wrong)."""
        if self._state == "closed" or (
            admission is Admission.PROBE and self._state == "half-opened"
        ):
            self._state = "closed"
            self._consecutive = 0

    def failed(self, admission: Admission) -> None:
        """The source failed the call (5xx, refused, timed out, nonsense)."""
        if admission is Admission.PROBE and self._state == "half-opened":
            self._open()
        elif admission is Admission.CALL and self._state == "closed":
            self._consecutive += 1
            if self._consecutive >= self.failures:
                self._open()

    def abandoned(self, admission: Admission) -> None:
        """The probe was cancelled before it learnt anything: the next caller may probe at once."""
        if admission is Admission.PROBE and self._state == "half-opened":
            self._state = "opened"

    def _open(self) -> None:
        self._state = "opened"
        self._opened_at = self._clock()
        self._consecutive = 0


class Breakers:
    """The process's breakers, one per source, so every connector of a source shares it."""

    def __init__(self) -> None:
        self._by_source: dict[str, CircuitBreaker] = {}

    def for_source(self, source: str, *, failures: int, cooldown_s: float) -> CircuitBreaker:
        breaker = self._by_source.get(source)
        if breaker is None:
            breaker = self._by_source[source] = CircuitBreaker(failures, cooldown_s)
        return breaker
