"""Stand-in source systems that fail deterministically, for the differential test.

A small fixed world (a few customers and their records, some broken the way
real sources break them: a null where the schema promises a value) behind
loaders with the interface the schema uses (``SystemLoaders``). Each
(record kind, key) answers in one of a few ways chosen per case: at once, after
a loop tick or several, "slowly" (many ticks), or fails: raising before any
wait, as an already failed future, or after a wait. Waits are counted in loop
ticks, never in wall-clock time, so both executors see the same interleaving on
any machine. Every source call is recorded, to compare which calls each
executor made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from resolvers.system.loaders import normalize_lookup
from resolvers.system.records import (
    CurrentWeather,
    CustomerProfile,
    Invoice,
    Order,
    OrderLine,
    RfmCutPoints,
    SocialMention,
    Ticket,
    WebVisit,
)
from sources.errors import SourceError, SourceRejected, SourceTimeout, SourceUnavailable

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)

OK_MODES = ("now", "tick", "ticks", "slow")
FAIL_MODES = ("raise", "failed", "fail_tick", "fail_slow")
MODES = OK_MODES + FAIL_MODES
"""How one (kind, key) answers: at once, after 1 tick, 3 ticks, 40 ticks; or fails:
synchronously, as an already failed future, after 1 tick, after 40 ticks."""

TICKS = {"tick": 1, "ticks": 3, "slow": 40, "fail_tick": 1, "fail_slow": 40}

LOOKUP_KIND = {
    "orders": "email",
    "invoices": "email",
    "tickets": "email",
    "web_visits": "email",
    "social_mentions": "handle",
    "weather": "location",
}
"""The one source of each kind of record and the identifier it is asked by."""

Key = tuple[str, str]
"""(record kind, normalized lookup key), e.g. ("orders", "email:ada@example.com")."""


def _profile(n: int, first: str | None, email: str | None, phone: str | None) -> CustomerProfile:
    return CustomerProfile(
        "crm",
        f"C-{n}",
        first,
        "Doe" if n % 2 else None,
        email,
        phone,
        street=f"{n} Main St",
        city="Springfield" if n != 3 else None,
        country="US",
        latitude=40.0 + n if n != 4 else None,
        longitude=-70.0 - n if n != 4 else None,
        twitter_handle=f"@user{n}" if n != 2 else None,
        created_at=NOW - timedelta(days=1000 + n),
    )


PROFILES = [
    _profile(1, "Ada", "ada@example.com", "+1 212 555 0101"),
    _profile(2, "Bob", "bob@example.com", "(212) 555-0102"),
    _profile(3, None, "cy@example.com", "212.555.0103"),
    _profile(4, "Dee", None, "+1 212 555 0104"),
    # A second CRM record of customer 1 (same email): one person, two identities.
    CustomerProfile("crm", "C-9", "Ada", "L.", "ADA@example.com", None, created_at=NOW),
]

CUSTOMER_IDS = ["C-1", "C-2", "C-3", "C-4", "C-9", "C-404"]
PHONES = ["+1 212 555 0101", "212-555-0102", "(212) 555-0104", "+1 212 555 0199"]
EMAILS = ["ada@example.com", "cy@example.com", "nobody@example.com"]


def _orders(n: int) -> list[Any]:
    orders: list[Any] = [
        Order(
            "shop",
            f"SO-{n}-{i}",
            NOW - timedelta(days=3 * i + n),
            20.0 * (i + 1) + n,
            ("delivered", "cancelled", "open")[i % 3],
            currency="USD",
            discount=None if i % 2 else 1.5,
            lines=tuple(OrderLine("shop", f"SKU-{j}", f"Item {j}", j + 1, 2.5) for j in range(i)),
        )
        for i in range(n + 1)
    ]
    if n == 3:  # a broken record: Order.total is non-null in the schema
        orders.append(Order("shop", "SO-3-x", NOW - timedelta(days=40), None))  # type: ignore[arg-type]
    if n == 2:  # a broken line: OrderLine.quantity is non-null
        line = OrderLine("shop", "SKU-x", None, None)  # type: ignore[arg-type]
        orders.append(Order("shop", "SO-2-x", NOW - timedelta(days=50), 5.0, lines=(line,)))
    return orders


def _records(n: int) -> dict[str, list[Any]]:
    return {
        "orders": _orders(n),
        "invoices": [
            Invoice(
                "billing",
                f"INV-{n}-{i}",
                100.0 + i,
                issued_on=date(2026, 10, 1 + i),
                due_on=date(2026, 10, 15 + i),
                amount_paid=0.0 if i else 100.0,
                status=("paid", "open")[i % 2],
                currency="USD",
            )
            for i in range(n)
        ],
        "tickets": [
            Ticket("desk", f"T-{n}-{i}", ("open", "closed")[i % 2], f"Issue {i}", "high")
            for i in range(n % 3 + 1)
        ]
        + ([Ticket("desk", "T-x", None)] if n == 1 else []),  # type: ignore[arg-type]
        "web_visits": [
            WebVisit("web", f"V-{n}-{i}", NOW - timedelta(hours=5 * i), pages_viewed=i + 1)
            for i in range(2)
        ],
        "social_mentions": [
            SocialMention(
                "social", f"M-{n}", NOW - timedelta(days=n), f"post {n}", -0.5 * n, "negative"
            )
        ],
        "weather": [
            CurrentWeather("weather", 40.0 + n, -70.0 - n, NOW, 12.5, 3 if n % 2 else None)
        ],
    }


def _world() -> dict[Key, list[Any]]:
    """Every record by the key it is asked by."""
    world: dict[Key, list[Any]] = {}
    for profile in PROFILES:
        for kind in ("id", "email", "phone"):
            key = normalize_lookup(kind, getattr(profile, kind))
            if key is not None:
                world.setdefault(("customer", f"{kind}:{key}"), []).append(profile)
    for profile in PROFILES[:4]:
        n = int(profile.id[2:])
        keys = {
            "email": profile.email,
            "handle": profile.twitter_handle,
            "location": (profile.latitude, profile.longitude),
        }
        for serves, records in _records(n).items():
            kind = LOOKUP_KIND[serves]
            key = normalize_lookup(kind, keys[kind])
            if key is not None:
                world[(serves, f"{kind}:{key}")] = records
    cuts = RfmCutPoints("shop", NOW, (7, 30, 90, 180), (1, 2, 3, 5), (50, 100, 200, 400), 4)
    world[("rfm_cutpoints", "all:all")] = [cuts]
    return world


WORLD = _world()
KEYS = sorted(WORLD)
"""Every key a source knows: what a case's faults are drawn over."""


def failure(mode: str, key: Key) -> SourceError:
    serves, lookup = key
    if mode == "raise":
        return SourceUnavailable(f"{serves}-source", f"refused {lookup}", entity=serves)
    if mode == "failed":
        return SourceRejected(f"{serves}-source", f"rejected {lookup}", entity=serves)
    return SourceTimeout(f"{serves}-source", f"timed out on {lookup} ({mode})", entity=serves)


class FailingLoaders:
    """The loaders of one request over ``WORLD``, each (kind, key) answering as ``faults`` say.

    Like the real loaders, a key's pending answer is shared by everyone who
    asks for it (one source call per key and request); unknown keys answer an
    empty list after a tick.
    """

    def __init__(self, faults: dict[Key, str] | None = None) -> None:
        self.faults = faults or {}
        self.stale: list[Any] = []
        self.calls: list[Key] = []
        self._answers: dict[Key, asyncio.Future[list[Any]]] = {}

    def _answer(self, key: Key) -> asyncio.Future[list[Any]]:
        found = self._answers.get(key)
        if found is not None:
            return found
        self.calls.append(key)
        mode = self.faults.get(key, "tick")
        if mode == "raise":
            raise failure(mode, key)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Any]] = loop.create_future()
        self._answers[key] = future
        records = WORLD.get(key, [])
        if mode == "now":
            future.set_result(records)
        elif mode == "failed":
            future.set_exception(failure(mode, key))
        elif mode in OK_MODES:
            _after(TICKS[mode], lambda: _settle(future, records))
        else:
            _after(TICKS[mode], lambda: _settle(future, failure(mode, key)))
        return future

    @property
    def runtime(self) -> NoRoutes:
        """No declared routes: the one customer system is asked for everything (``futures``)."""
        return NoRoutes()

    def futures(self, serves: str, kind: str, value: object) -> list[asyncio.Future[Any]]:
        key = normalize_lookup(kind, value)
        return [] if key is None else [self._answer((serves, f"{kind}:{key}"))]

    def futures_by_any(self, serves: str, keys: dict[str, object]) -> list[asyncio.Future[Any]]:
        kind = LOOKUP_KIND[serves]
        return self.futures(serves, kind, keys.get(kind))

    async def load(self, serves: str, kind: str, value: object) -> list[Any]:
        return await _merged(self.futures(serves, kind, value))

    async def load_by_any(
        self, serves: str, keys: dict[str, object], filters: object = None
    ) -> list[Any]:
        return await _merged(self.futures_by_any(serves, keys))

    def pushes(self, serves: str, filters: object) -> bool:
        """These sources take no arguments: list filters are applied by the gateway alone."""
        return False


class NoRoutes:
    """A runtime that declares no routes: identity asks the loaders' ``futures`` alone."""

    def routes_by_source(self, serves: str) -> list[Any]:
        return []

    def routes_for(self, serves: str, kind: str) -> list[Any]:
        return []


async def _merged(futures: list[asyncio.Future[Any]]) -> list[Any]:
    return list(await futures[0]) if futures else []


def _settle(future: asyncio.Future[list[Any]], answer: list[Any] | SourceError) -> None:
    """Answer, unless whoever waited has given up (a cancelled task cancels its future)."""
    if future.done():
        return
    if isinstance(answer, SourceError):
        future.set_exception(answer)
    else:
        future.set_result(answer)


def _after(ticks: int, then: Callable[[], object]) -> None:
    """Run ``then`` after ``ticks`` turns of the event loop."""
    loop = asyncio.get_running_loop()

    def step(left: int) -> None:
        if left <= 1:
            then()
        else:
            loop.call_soon(step, left - 1)

    loop.call_soon(step, ticks)
