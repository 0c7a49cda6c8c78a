"""Field arguments pushed down to a source: which are sent, under what name, in what form.

A lookup's ``arguments`` (see ``sources.config.Argument``) say which of a list
field's arguments the source filters by itself. The system layer turns a call's
``Filters`` into the ``Pushed`` parameters of one lookup: a loader per (lookup,
pushed set) batches the calls that send the same parameters. The gateway filters
the answer again whatever was pushed, so a source that ignores a parameter (or
answers a coarser ``since`` date) cannot widen what a field answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sources.config import Argument, Lookup

PushedValue = str | int
Pushed = tuple[tuple[str, PushedValue], ...]
"""The source parameters of one call, ``(param, value)`` in the lookup's declared order."""

NOTHING_PUSHED: Pushed = ()


@dataclass(slots=True, frozen=True)
class Filters:
    """A list field's arguments as asked (``None``: not asked)."""

    limit: int | None = None
    status: str | None = None
    since: datetime | None = None

    @property
    def empty(self) -> bool:
        return self.limit is None and self.status is None and self.since is None


NO_FILTERS = Filters()


def pushed(lookup: Lookup, filters: Filters | None) -> Pushed:
    """What ``lookup`` sends for ``filters``: only the arguments it declares and can honour.

    A ``limit`` goes only where it bounds one customer's records: ``per_key``
    declared, or a lookup that asks per key (``{key}``) anyway. A source that
    limits a whole batch would otherwise drop some customers' records for others'.
    """
    if filters is None or not lookup.arguments or filters.empty:
        return NOTHING_PUSHED
    sent: list[tuple[str, PushedValue]] = []
    for name, argument in lookup.arguments.items():
        if name == "limit" and filters.limit is not None:
            if argument.per_key or lookup.per_key:
                sent.append((argument.param, filters.limit))
        elif name == "status" and filters.status is not None:
            sent.append((argument.param, filters.status))
        elif name == "since" and filters.since is not None:
            sent.append((argument.param, since_value(argument, filters.since)))
    return tuple(sent)


def since_value(argument: Argument, since: datetime) -> PushedValue:
    """A moment in the form the source wants; ``date`` and ``epoch`` round down (never narrower)."""
    moment = since.astimezone(UTC)
    if argument.format == "date":
        return moment.date().isoformat()
    if argument.format == "epoch":
        return int(moment.timestamp() // 1)
    return moment.isoformat().replace("+00:00", "Z")


def cache_suffix(arguments: Pushed) -> str:
    """What tells one pushed set's cached answers from another's (empty for none)."""
    if not arguments:
        return ""
    return "?" + "&".join(f"{param}={value}" for param, value in arguments)
