"""A person's records from each system, fetched by the identifiers identity resolution found.

Each function makes at most one loader call per source; sorting and filtering
here is what every consumer wants (newest first), so views don't repeat it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from typing import Any

from resolvers.process.identity import Person
from resolvers.system.loaders import SystemLoaders, merge_answers
from resolvers.system.records import (
    CurrentWeather,
    Invoice,
    Order,
    RfmCutPoints,
    SocialMention,
    Ticket,
    WebVisit,
)

NEWEST_FIRST: dict[str, Callable[[Any], Any]] = {
    "orders": lambda o: o.placed_at,
    "invoices": lambda i: (i.issued_on is not None, i.issued_on),
    "tickets": lambda t: (t.created_at is not None, t.created_at),
    "web_visits": lambda v: v.started_at,
    "social_mentions": lambda m: m.posted_at,
}
"""The records a customer has in lists, and how each list is ordered (newest first)."""


def newest_first(serves: str, records: list[Any]) -> list[Any]:
    return sorted(records, key=NEWEST_FIRST[serves], reverse=True)


async def records_of(loaders: SystemLoaders, person: Person, serves: str) -> list[Any]:
    return newest_first(serves, await loaders.load_by_any(serves, person.keys))


async def orders_of(loaders: SystemLoaders, person: Person) -> list[Order]:
    return await records_of(loaders, person, "orders")


async def invoices_of(loaders: SystemLoaders, person: Person) -> list[Invoice]:
    return await records_of(loaders, person, "invoices")


async def tickets_of(loaders: SystemLoaders, person: Person) -> list[Ticket]:
    return await records_of(loaders, person, "tickets")


async def visits_of(loaders: SystemLoaders, person: Person) -> list[WebVisit]:
    return await records_of(loaders, person, "web_visits")


async def mentions_of(loaders: SystemLoaders, person: Person) -> list[SocialMention]:
    return await records_of(loaders, person, "social_mentions")


async def prefetch(
    loaders: SystemLoaders, people: Sequence[Person], kinds: Collection[str]
) -> list[dict[str, list[Any] | Exception]]:
    """For each person, each asked kind of list at once: all of them in one wait.

    A list of customers would otherwise resolve each customer's lists in a task
    of its own; here every load is queued first (one batch per source, as
    before) and awaited together. A failed source stands in its lists' place.
    ``weather`` and ``rfm_cutpoints`` are loaded in the same wait (into the
    request's loader cache, for the fields that read them next), so nothing
    asked of a customer costs a second round trip.
    """
    lists_asked = [kind for kind in NEWEST_FIRST if kind in kinds]
    pending = [[loaders.futures_by_any(kind, p.keys) for kind in lists_asked] for p in people]
    flat = [future for person in pending for futures in person for future in futures]
    if "weather" in kinds:
        flat += [f for p in people for f in loaders.futures_by_any("weather", p.keys)]
    if "rfm_cutpoints" in kinds:
        flat += loaders.futures("rfm_cutpoints", "all", "all")
    await asyncio.gather(*flat, return_exceptions=True)
    prefetched: list[dict[str, list[Any] | Exception]] = []
    for person_futures in pending:
        lists: dict[str, list[Any] | Exception] = {}
        for kind, futures in zip(lists_asked, person_futures, strict=True):
            answers = [f.exception() or f.result() for f in futures]
            try:
                lists[kind] = newest_first(kind, merge_answers(answers))
            except Exception as exc:  # the source's error, reported at the field's path
                lists[kind] = exc
        prefetched.append(lists)
    return prefetched


async def weather_of(loaders: SystemLoaders, person: Person) -> CurrentWeather | None:
    found: list[CurrentWeather] = await loaders.load_by_any("weather", person.keys)
    return found[0] if found else None


async def rfm_cut_points(loaders: SystemLoaders) -> RfmCutPoints | None:
    """The population's quintile cut points (cached by the source config's TTL)."""
    found: list[RfmCutPoints] = await loaders.load("rfm_cutpoints", "all", "all")
    return max(found, key=lambda c: c.as_of) if found else None
