"""Named loaders of a customer's records: ``OrdersByCustomerLoader`` and its siblings.

Each is a view, for one kind of record, over the request's per-(source, entity,
lookup) ``EntityLoader``s: a customer's records come from every source that
serves the kind, each asked by the first identifier it can look up, and every
load of one tick shares one request per source. Each remembers its answers per
customer for the request, so a customer asked for again (or loaded ahead, for a
list of many) gets a value that is already there: no wait. Callers get plain
coroutines; the futures stay in this layer.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast

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
from sources.arguments import Filters
from sources.config import LINK

R = TypeVar("R")
T = TypeVar("T")


class CustomerKeys:
    """One customer's identifiers by lookup kind (email, phone, handle, location), best first.

    Kind ``link`` (first when the customer has any) maps a system to the
    customer's ids in it (``links``): a source with a ``link`` lookup is asked
    by those before any other kind. Links found by following a chain (CRM →
    billing → ledger) are added with ``add_link`` before anything is loaded.

    Compared by identity: the loaders remember answers per customer object, so
    one customer is made once (identity resolution) and asked for by it.
    """

    __slots__ = ("by_kind", "links")

    def __init__(
        self, by_kind: Mapping[str, object], links: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        self.links: dict[str, list[str]] = {s: list(ids) for s, ids in (links or {}).items()}
        self.by_kind: Mapping[str, object] = (
            {LINK: self.links, **by_kind} if self.links else by_kind
        )

    def add_link(self, system: str, record_id: str) -> bool:
        """Notes the customer's id in ``system``; False when it was known already."""
        ids = self.links.setdefault(system, [])
        if record_id in ids:
            return False
        ids.append(record_id)
        if LINK not in self.by_kind:
            self.by_kind = {LINK: self.links, **self.by_kind}
        return True

    def __repr__(self) -> str:
        return f"CustomerKeys({dict(self.by_kind)!r})"


@dataclass(slots=True, frozen=True)
class Queued:
    """Loads queued ahead (no task, no wait yet); ``keep`` files their answers once they settle."""

    futures: list[asyncio.Future[Any]]
    keep: Callable[[], None]


def _settled(futures: Sequence[asyncio.Future[Any]]) -> list[Any] | Exception:
    """Several sources' settled loads as one list, or the first failure (not raised)."""
    if len(futures) == 1:  # one source (the usual case): ``merge_answers`` of one answer
        failed = futures[0].exception()
        if failed is None:
            return list(futures[0].result())
        if isinstance(failed, Exception):
            return failed
        raise failed
    try:
        return merge_answers([f.exception() or f.result() for f in futures])
    except Exception as exc:  # the source's error, for the field that reads it
        return exc


_UNKNOWN: Any = object()


class _PerCustomer(ABC, Generic[T]):
    """The answers of one request, per customer: a value, or the error that stands in for it."""

    __slots__ = ("_known", "_loaders")

    def __init__(self, loaders: SystemLoaders) -> None:
        self._loaders = loaders
        self._known: dict[CustomerKeys, T | Exception] = {}

    @abstractmethod
    def _answer(self, records: list[Any]) -> T:
        """The answer made of a customer's records from every source."""

    @abstractmethod
    async def _fetch(self, customer: CustomerKeys) -> T:
        """The customer's answer, fetched now."""

    @abstractmethod
    def _futures(self, customer: CustomerKeys) -> list[asyncio.Future[Any]]:
        """The customer's pending loads, one per source (no task is created)."""

    async def load(self, customer: CustomerKeys) -> T:
        """The customer's answer; a failed source raises its error (and again when asked again)."""
        known = self._known.get(customer, _UNKNOWN)
        if known is _UNKNOWN:
            try:
                answer = await self._fetch(customer)
            except Exception as exc:
                self._known[customer] = exc
                raise
            self._known[customer] = answer
            return answer
        if isinstance(known, Exception):
            raise known
        return cast(T, known)

    def queue_many(self, customers: Sequence[CustomerKeys]) -> Queued:
        """Queues the loads of every customer not answered yet, to be awaited in one wait.

        A load that fails at once is that customer's answer; the others still load.
        """
        pending: list[tuple[CustomerKeys, list[asyncio.Future[Any]]]] = []
        for customer in customers:
            if customer in self._known:
                continue
            try:
                pending.append((customer, self._futures(customer)))
            except Exception as exc:
                self._known[customer] = exc

        def keep() -> None:
            for customer, futures in pending:
                answer = _settled(futures)
                self._known[customer] = (
                    answer if isinstance(answer, Exception) else self._answer(answer)
                )

        return Queued([f for _, futures in pending for f in futures], keep)


class RecordsByCustomerLoader(_PerCustomer[list[R]]):
    """A customer's records of one kind (``serves``) from every source that has them (unordered).

    ``load(customer, filters)`` pushes a list field's arguments to the sources
    that take them (see ``sources.arguments``); the answer may still hold records
    the filters exclude (a source that cannot filter), so callers filter it again.
    A customer whose whole list is known already (loaded ahead for a list, or read
    by another field) is answered from it: a superset, and no second request.
    """

    serves: ClassVar[str]

    __slots__ = ("_filtered",)

    def __init__(self, loaders: SystemLoaders) -> None:
        super().__init__(loaders)
        self._filtered: dict[tuple[CustomerKeys, Filters], list[R] | Exception] = {}

    def _answer(self, records: list[Any]) -> list[R]:
        return records

    async def load(self, customer: CustomerKeys, filters: Filters | None = None) -> list[R]:
        """The customer's records, fetched with what ``filters`` push to each source."""
        if (
            filters is None
            or filters.empty
            or customer in self._known
            or not self._loaders.pushes(self.serves, filters)
        ):
            return await super().load(customer)
        known = self._filtered.get((customer, filters), _UNKNOWN)
        if known is _UNKNOWN:
            try:
                records: list[R] = await self._loaders.load_by_any(
                    self.serves, customer.by_kind, filters
                )
            except Exception as exc:
                self._filtered[(customer, filters)] = exc
                raise
            self._filtered[(customer, filters)] = records
            return records
        if isinstance(known, Exception):
            raise known
        return cast("list[R]", known)

    def queue_many(
        self, customers: Sequence[CustomerKeys], filters: Filters | None = None
    ) -> Queued:
        """As ``_PerCustomer.queue_many``; with ``filters`` a source takes, the filtered loads.

        What a list's look-ahead knows a field will ask (``orders(limit: 5)`` for
        every customer) is asked so, once per source, and filed where that field's
        ``load(customer, filters)`` finds it.
        """
        if filters is None or filters.empty or not self._loaders.pushes(self.serves, filters):
            return super().queue_many(customers)
        pending: list[tuple[CustomerKeys, list[asyncio.Future[Any]]]] = []
        for customer in customers:
            if customer in self._known or (customer, filters) in self._filtered:
                continue
            try:
                futures = self._loaders.futures_by_any(self.serves, customer.by_kind, filters)
            except Exception as exc:
                self._filtered[(customer, filters)] = exc
                continue
            pending.append((customer, futures))

        def keep() -> None:
            for customer, futures in pending:
                self._filtered[(customer, filters)] = _settled(futures)

        return Queued([f for _, futures in pending for f in futures], keep)

    async def _fetch(self, customer: CustomerKeys) -> list[R]:
        records: list[R] = await self._loaders.load_by_any(self.serves, customer.by_kind)
        return records

    def _futures(self, customer: CustomerKeys) -> list[asyncio.Future[Any]]:
        return self._loaders.futures_by_any(self.serves, customer.by_kind)


class OrdersByCustomerLoader(RecordsByCustomerLoader[Order]):
    serves = "orders"
    __slots__ = ()


class InvoicesByCustomerLoader(RecordsByCustomerLoader[Invoice]):
    serves = "invoices"
    __slots__ = ()


class TicketsByCustomerLoader(RecordsByCustomerLoader[Ticket]):
    serves = "tickets"
    __slots__ = ()


class WebVisitsByCustomerLoader(RecordsByCustomerLoader[WebVisit]):
    serves = "web_visits"
    __slots__ = ()


class SocialMentionsByCustomerLoader(RecordsByCustomerLoader[SocialMention]):
    serves = "social_mentions"
    __slots__ = ()


class WeatherByLocationLoader(_PerCustomer["CurrentWeather | None"]):
    """The current weather where a customer lives (near neighbours share one observation)."""

    __slots__ = ()

    def _answer(self, records: list[Any]) -> CurrentWeather | None:
        return records[0] if records else None

    async def _fetch(self, customer: CustomerKeys) -> CurrentWeather | None:
        return self._answer(await self._loaders.load_by_any("weather", customer.by_kind))

    def _futures(self, customer: CustomerKeys) -> list[asyncio.Future[Any]]:
        return self._loaders.futures_by_any("weather", customer.by_kind)


class RfmCutPointsLoader:
    """The customer population's RFM quintile cut points (cached by the source config's TTL)."""

    __slots__ = ("_known", "_loaders")

    def __init__(self, loaders: SystemLoaders) -> None:
        self._loaders = loaders
        self._known: RfmCutPoints | Exception | None = _UNKNOWN

    async def load(self) -> RfmCutPoints | None:
        """The newest cut points any source has; None when no source has any."""
        known = self._known
        if known is _UNKNOWN:
            return newest_cut_points(await self._loaders.load("rfm_cutpoints", "all", "all"))
        if isinstance(known, Exception):
            raise known
        return known

    def queue_many(self, customers: Sequence[CustomerKeys]) -> Queued:
        """The population's load (whoever the customers are), unless it is known already."""
        if self._known is not _UNKNOWN:
            return Queued([], lambda: None)
        futures = self._loaders.futures("rfm_cutpoints", "all", "all")

        def keep() -> None:
            answer = _settled(futures)
            self._known = answer if isinstance(answer, Exception) else newest_cut_points(answer)

        return Queued(futures, keep)


def newest_cut_points(found: list[RfmCutPoints]) -> RfmCutPoints | None:
    return max(found, key=lambda c: c.as_of) if found else None
