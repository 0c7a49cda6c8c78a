"""Field arguments pushed down to a source: which are sent, under what name, in what form.

A lookup's ``arguments`` (see ``sources.config.Argument``) say which of a list
field's arguments the source filters by itself. The system layer turns a call's
``Filters`` into the ``Pushed`` parameters of one lookup: a loader per (lookup,
pushed set) batches the calls that send the same parameters. The gateway filters
the answer again whatever was pushed, so a source that ignores a parameter (or
answers a coarser ``since`` date) cannot widen what a field answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sources.config import Argument, Lookup

PushedValue = str | int
Pushed = tuple[tuple[str, PushedValue], ...]
"""The source parameters of one call, ``(param, value)``: status, since, then limit."""

NOTHING_PUSHED: Pushed = ()


class PushingConnector(Protocol):
    """A connector that sends pushed arguments (the REST and SQL connectors).

    Asked with ``arguments`` only when there are some: a connector that pushes
    nothing (a test's stand-in) keeps the plain ``Connector.fetch``.
    """

    async def fetch(
        self,
        entity: str,
        kind: str,
        keys: Sequence[str],
        *,
        timeout_s: float,
        arguments: Pushed = ...,
    ) -> Sequence[list[dict[str, Any]] | Exception]: ...


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

    A ``limit`` goes only where it bounds one customer's records (``per_key``
    declared, or a lookup that asks per key, ``{key}``, anyway: a limit on a whole
    batch would drop some customers' records for others'), and only when every
    other filter asked goes too: the newest 5 tickets, filtered here by status
    afterwards, are not the newest 5 open ones.
    """
    if filters is None or not lookup.arguments or filters.empty:
        return NOTHING_PUSHED
    declared = lookup.arguments
    sent: list[tuple[str, PushedValue]] = []
    kept_here = False
    if filters.status is not None:
        status = declared.get("status")
        if status is not None:
            sent.append((status.param, filters.status))
        else:
            kept_here = True
    if filters.since is not None:
        since = declared.get("since")
        if since is not None:
            sent.append((since.param, since_value(since, filters.since)))
        # Not pushed, it still leaves a prefix of the newest first: a limit may go.
    limit = declared.get("limit")
    if (
        filters.limit is not None
        and limit is not None
        and not kept_here
        and (limit.per_key or lookup.per_key)
    ):
        sent.append((limit.param, filters.limit))
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
