"""The order in which the demo systems heard and answered requests, to count round trips.

Every demo system of one process numbers the events it sees from one counter:
a business request's arrival, and its answer. A request that arrived before any
answer the gateway received could not have waited on one: it went out in the
first round. One that arrived after an answer may have needed it. So the rounds
of a gateway request are counted from this order alone, with no clock: a test
or a benchmark can say "one round trip" and mean it. ``GET /_demo/log`` shows
each system's recent entries; ``POST /_demo/reset`` clears them.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

MAX_ENTRIES = 1000
"""Per system, the newest entries kept (a benchmark makes thousands of requests)."""

_events = itertools.count(1)
"""One sequence for every demo system of this process: their events are comparable."""


@dataclass(slots=True)
class LoggedRequest:
    """A business request one system heard: its path and query, when it arrived and was answered."""

    system: str
    path: str
    """The path and query string as sent (``/invoices?bill_to_emails=...``)."""
    arrived: int
    answered: int | None = None
    """None while the request is still being answered."""

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "arrived": self.arrived, "answered": self.answered}


class RequestLog:
    """One system's newest requests, numbered from the process-wide event sequence."""

    __slots__ = ("_entries", "system")

    def __init__(self, system: str) -> None:
        self.system = system
        self._entries: deque[LoggedRequest] = deque(maxlen=MAX_ENTRIES)

    def arrived(self, path: str) -> LoggedRequest:
        entry = LoggedRequest(self.system, path, next(_events))
        self._entries.append(entry)
        return entry

    @staticmethod
    def answered(entry: LoggedRequest) -> None:
        entry.answered = next(_events)

    def clear(self) -> None:
        self._entries.clear()

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self._entries)

    def as_json(self) -> dict[str, Any]:
        return {"system": self.system, "requests": [e.as_json() for e in self._entries]}


def from_json(answer: dict[str, Any]) -> list[LoggedRequest]:
    """The entries of one system's ``GET /_demo/log`` answer."""
    system = str(answer["system"])
    return [
        LoggedRequest(system, str(e["path"]), int(e["arrived"]), e["answered"])
        for e in answer["requests"]
    ]


def rounds(requests: Iterable[LoggedRequest]) -> list[list[LoggedRequest]]:
    """The requests by round trip: a request's round is one more than the latest round
    whose answer it arrived after (the first round: arrived before any answer).

    A second round is made only of requests that could have waited on an answer;
    requests issued together in one tick stay one round as long as the systems'
    latency is longer than the time the gateway takes to send them all.
    """
    ordered = sorted(requests, key=lambda r: r.arrived)
    round_of: list[int] = []
    for i, request in enumerate(ordered):
        before = [
            round_of[j]
            for j, earlier in enumerate(ordered[:i])
            if earlier.answered is not None and earlier.answered < request.arrived
        ]
        round_of.append(max(before, default=0) + 1)
    grouped: list[list[LoggedRequest]] = [[] for _ in range(max(round_of, default=0))]
    for request, number in zip(ordered, round_of, strict=True):
        grouped[number - 1].append(request)
    return grouped


def systems_by_round(requests: Sequence[LoggedRequest]) -> list[set[str]]:
    """Which systems each round asked: ``[{"crm", "contacts"}, {"orders", ...}]``."""
    return [{r.system for r in group} for group in rounds(requests)]
