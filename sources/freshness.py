"""Which answers of this request came from the cache because their source had failed.

Connectors note stale answers here; the gateway reports them on the response
(``extensions.freshness``), so a client can tell a live value from a rescued one.
The collector is a context variable: each request sees only its own notes.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from sources.budget import count_calls_of_request


@dataclass(slots=True, frozen=True)
class StaleNote:
    source: str
    entity: str
    stored_at: float
    reason: str


_NOTES: ContextVar[list[StaleNote] | None] = ContextVar("c360_stale_notes", default=None)


def collect_stale_notes() -> list[StaleNote]:
    """Start collecting for the current request; returns the list that will fill up.

    The request's count of source calls (``max_calls_per_request``) starts here
    too: this is where the per-request loaders begin a request's source side.
    """
    notes: list[StaleNote] = []
    _NOTES.set(notes)
    count_calls_of_request()
    return notes


def note_stale(note: StaleNote) -> None:
    notes = _NOTES.get()
    if notes is not None and note not in notes:
        notes.append(note)
