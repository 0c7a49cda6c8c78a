"""A person's records from each system, as every consumer wants them: newest first, filtered.

Each function asks one named loader for the person (by the identifiers identity
resolution found) and shapes the answer; the filters are the list fields'
arguments (``limit``, ``status``, ``since``), checked before any source is asked.
A source whose lookup declares an argument is sent it (``arguments`` in the
source config); every answer is filtered here again all the same, so a source
that ignores a parameter, or filters more coarsely, cannot widen a field's answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from operator import attrgetter
from typing import Any, TypeVar

from resolvers.process.errors import InvalidLookup, MissingTimeZone
from resolvers.process.identity import Person
from resolvers.system.by_customer import RecordsByCustomerLoader
from resolvers.system.customer_loaders import CustomerLoaders
from resolvers.system.records import (
    CurrentWeather,
    Invoice,
    Order,
    RfmCutPoints,
    SocialMention,
    Ticket,
    WebVisit,
)
from sources.arguments import NO_FILTERS, Filters

R = TypeVar("R")

NEWEST_FIRST: dict[str, Callable[[Any], Any]] = {
    "orders": lambda o: o.placed_at,
    "invoices": lambda i: (i.issued_on is not None, i.issued_on),
    "tickets": lambda t: (t.created_at is not None, t.created_at),
    "web_visits": lambda v: v.started_at,
    "social_mentions": lambda m: m.posted_at,
}
"""How each kind of list is ordered (newest first; undated records last)."""

_BY_DATE: dict[str, Callable[[Any], Any]] = {
    "orders": attrgetter("placed_at"),
    "invoices": attrgetter("issued_on"),
    "tickets": attrgetter("created_at"),
    "web_visits": attrgetter("started_at"),
    "social_mentions": attrgetter("posted_at"),
}
"""``NEWEST_FIRST`` read in C, for lists whose every record is dated (the usual case)."""


def newest_first(records: list[R], serves: str) -> list[R]:
    """``records`` ordered as ``NEWEST_FIRST[serves]`` orders them.

    The dates alone order a list the same way when none is missing; a missing one
    makes the first try raise (``None`` is compared with something as soon as
    there are two records), and the list is ordered by ``NEWEST_FIRST``.
    """
    try:
        return sorted(records, key=_BY_DATE[serves], reverse=True)
    except TypeError:
        return sorted(records, key=NEWEST_FIRST[serves], reverse=True)


async def records_of(
    loader: RecordsByCustomerLoader[R], person: Person, filters: Filters | None = None
) -> list[R]:
    """The person's records of the loader's kind from every system, newest first.

    ``filters`` go to the sources that take them; the caller still applies them.
    """
    records = await loader.load(person.keys, filters)
    return newest_first(records, loader.serves)


def _filters(
    limit: int | None = None, status: str | None = None, since: datetime | None = None
) -> Filters:
    """The list field's arguments; the one shared empty ``Filters`` when none is given."""
    if limit is None and status is None and since is None:
        return NO_FILTERS
    return Filters(limit, status, since)


async def orders_of(
    loaders: CustomerLoaders, person: Person, limit: int | None = None
) -> list[Order]:
    check_limit(limit)
    return limited(await records_of(loaders.orders, person, _filters(limit)), limit)


async def invoices_of(
    loaders: CustomerLoaders, person: Person, status: str | None = None, limit: int | None = None
) -> list[Invoice]:
    check_limit(limit)
    records = await records_of(loaders.invoices, person, _filters(limit, status))
    return limited(with_status(records, status), limit)


async def tickets_of(
    loaders: CustomerLoaders, person: Person, status: str | None = None, limit: int | None = None
) -> list[Ticket]:
    check_limit(limit)
    records = await records_of(loaders.tickets, person, _filters(limit, status))
    return limited(with_status(records, status), limit)


async def visits_of(
    loaders: CustomerLoaders,
    person: Person,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[WebVisit]:
    check_limit(limit)
    check_aware("since", since)
    visits = await records_of(loaders.web_visits, person, _filters(limit, since=since))
    if since is not None:
        visits = [v for v in visits if v.started_at >= since]
    return limited(visits, limit)


async def mentions_of(
    loaders: CustomerLoaders, person: Person, limit: int | None = None
) -> list[SocialMention]:
    check_limit(limit)
    mentions = await records_of(loaders.social_mentions, person, _filters(limit))
    return limited(mentions, limit)


async def weather_of(loaders: CustomerLoaders, person: Person) -> CurrentWeather | None:
    return await loaders.weather.load(person.keys)


async def rfm_cut_points(loaders: CustomerLoaders) -> RfmCutPoints | None:
    """The population's quintile cut points (cached by the source config's TTL)."""
    return await loaders.rfm_cut_points.load()


AheadFilters = Filters
"""What a look-ahead pushes for a list (the schema layer names it so; it knows no sources)."""

AHEAD_ARGUMENTS: dict[str, frozenset[str]] = {
    "orders": frozenset({"limit"}),
    "invoices": frozenset({"limit", "status"}),
    "tickets": frozenset({"limit", "status"}),
    "social_mentions": frozenset({"limit"}),
}
"""The list arguments a look-ahead may push for each kind, as the functions above build them.

``webVisits(since:)`` is not among them: its value is a DateTime the field's
scalar parses (and refuses without a time zone); read raw here it could differ.
"""


def filters_ahead(name: str, arguments: Mapping[str, object]) -> Filters | None:
    """The filters a list field with ``arguments`` will load ``name`` with, as its function
    builds them (``orders_of`` … ``mentions_of``); None where that cannot be known ahead
    (an argument not listed, a value the field will refuse), and the whole list is loaded."""
    allowed = AHEAD_ARGUMENTS.get(name)
    if allowed is None or not set(arguments) <= allowed:
        return None
    limit, status = arguments.get("limit"), arguments.get("status")
    if limit is not None and (type(limit) is not int or limit < 0):
        return None
    if status is not None and not isinstance(status, str):
        return None
    return Filters(limit=limit, status=status)


def check_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise InvalidLookup("limit", str(limit))


def check_aware(argument: str, moment: datetime | None) -> None:
    """A moment without a time zone is ambiguous (whose noon?): the caller must say."""
    if moment is not None and moment.utcoffset() is None:
        raise MissingTimeZone(argument, moment)


def limited(records: list[R], limit: int | None) -> list[R]:
    return records if limit is None else records[:limit]


def with_status(records: list[Any], status: str | None) -> list[Any]:
    """The records whose status is ``status``, in any case; all of them for None."""
    if status is None:
        return records
    wanted = status.lower()
    return [r for r in records if (r.status or "").lower() == wanted]
