"""``CustomerLoaders``: the request's named loaders, what the process and experience layers use.

Built per request over the request's ``SystemLoaders`` (so their batching and
per-request cache are shared: two fields asking for the same customer's orders
cost one lookup). Adding a kind of record is one more named loader here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from resolvers.system.by_customer import (
    CustomerKeys,
    InvoicesByCustomerLoader,
    OrdersByCustomerLoader,
    Queued,
    RecordsByCustomerLoader,
    RfmCutPointsLoader,
    SocialMentionsByCustomerLoader,
    TicketsByCustomerLoader,
    WeatherByLocationLoader,
    WebVisitsByCustomerLoader,
)
from resolvers.system.loaders import SystemLoaders
from resolvers.system.profiles import CustomerProfilesLoader
from sources.arguments import Filters

Ahead = Literal[
    "orders", "invoices", "tickets", "web_visits", "social_mentions", "weather", "rfm_cut_points"
]
"""The named loaders that can load ahead for many customers at once."""


@dataclass(slots=True, frozen=True)
class CustomerLoaders:
    """One request's named loaders: who a customer is, and each kind of record they have."""

    profiles: CustomerProfilesLoader
    orders: OrdersByCustomerLoader
    invoices: InvoicesByCustomerLoader
    tickets: TicketsByCustomerLoader
    web_visits: WebVisitsByCustomerLoader
    social_mentions: SocialMentionsByCustomerLoader
    weather: WeatherByLocationLoader
    rfm_cut_points: RfmCutPointsLoader

    @classmethod
    def over(cls, loaders: SystemLoaders) -> CustomerLoaders:
        """The named loaders of one request, sharing its per-source loaders."""
        return cls(
            CustomerProfilesLoader(loaders),
            OrdersByCustomerLoader(loaders),
            InvoicesByCustomerLoader(loaders),
            TicketsByCustomerLoader(loaders),
            WebVisitsByCustomerLoader(loaders),
            SocialMentionsByCustomerLoader(loaders),
            WeatherByLocationLoader(loaders),
            RfmCutPointsLoader(loaders),
        )

    async def load_ahead(
        self,
        names: Collection[Ahead] | Mapping[Ahead, Filters | None],
        customers: Sequence[CustomerKeys],
    ) -> None:
        """Loads what ``names`` hold for every customer in one wait (one request per source).

        What a list of many customers will be asked for, loaded before it is:
        each customer's later ``load`` then answers at once, without a wait of
        its own. A failed source is remembered per customer and raised where read.
        ``names`` may map a name to the filters its one reader will load with
        (``orders(limit: 5)``): those are pushed down to the sources that take them.
        """
        filters = names if isinstance(names, Mapping) else {}
        # In a fixed order, so the sources are asked in the same order on every run.
        queued: list[Queued] = [self._queue(n, customers, filters.get(n)) for n in sorted(names)]
        futures = [f for q in queued for f in q.futures]
        if futures:  # all known already: nothing to wait for
            await asyncio.gather(*futures, return_exceptions=True)
        for q in queued:
            q.keep()

    def _queue(
        self, name: Ahead, customers: Sequence[CustomerKeys], filters: Filters | None
    ) -> Queued:
        loader = getattr(self, name)
        if isinstance(loader, RecordsByCustomerLoader):
            return loader.queue_many(customers, filters)
        queued: Queued = loader.queue_many(customers)
        return queued
