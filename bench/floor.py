"""The floor: a raw Starlette app making the gateway's source calls with ``asyncio.gather``.

No GraphQL, no config-driven mapping, no dataloaders: one shared aiohttp session,
the fewest source requests the answer needs, and the same JSON as the gateway.
It is what the hardware and the sources allow, so every gateway is measured
against it. Run it like the gateway: ``uvicorn --factory bench.floor:create_app``
with ``BENCH_SOURCE_URLS`` (the JSON map of source → base URL).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import orjson
from sqlalchemy import Row, bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import floor_shapes as shape
from resolvers.process.offers import ranked_offers
from resolvers.process.policy import DEFAULT_POLICY
from resolvers.system.records import RfmCutPoints
from sources.state_store import OfferOutcomeStore, default_dsn

WEATHER_FIELDS = "temperature_2m,weather_code,wind_speed_10m,relative_humidity_2m"
RFM_QUERY = {"window_days": os.environ.get("C360_RFM_WINDOW_DAYS", "365"), "compare_days": "90"}
"""The population the gateway asks the order system for (sources.yaml's rfm_cutpoints)."""
RFM_TTL_S = 300.0
"""The gateway caches the RFM cut points this long (sources.yaml); so does the floor."""
DEFAULT_BATCH = 200
"""The gateway's default ``max_batch`` per source request (sources.yaml does not override it)."""
LEDGER_SQL = text(
    "SELECT doc_no, account_ref, customer_email, doc_date, due_date, gross_amount, paid_amount,"
    " doc_status, currency_code, doc_type FROM ledger_invoices"
    " WHERE lower(customer_email) IN :keys ORDER BY doc_date DESC, doc_no DESC"
).bindparams(bindparam("keys", expanding=True))
"""The legacy ledger's invoices, the same SELECT as sources.yaml's ``ledger`` source."""


class FloorSources:
    """The demo sources over one shared session, with the one cache the gateway also keeps."""

    def __init__(self, urls: dict[str, str], batch: int = DEFAULT_BATCH) -> None:
        self.urls = urls
        self.batch = batch
        self.session: aiohttp.ClientSession | None = None
        dsn = urls.get("ledger")
        self.ledger: AsyncEngine | None = create_async_engine(dsn) if dsn else None
        self._cuts: tuple[float, RfmCutPoints | None] | None = None
        self.outcomes = OfferOutcomeStore(default_dsn())
        """Recorded offer outcomes, read as the gateway reads them for the next best offer."""

    async def start(self) -> None:
        await self.outcomes.start()
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=5),
            connector=aiohttp.TCPConnector(limit=0, limit_per_host=100, keepalive_timeout=30),
        )

    async def close(self) -> None:
        await self.outcomes.close()
        if self.session is not None:
            await self.session.close()
        if self.ledger is not None:
            await self.ledger.dispose()

    async def ledger_invoices(self, emails: list[str]) -> list[dict[str, Any]]:
        """Legacy invoices for ``emails`` as billing-shaped records (none without a ledger)."""
        if self.ledger is None or not emails:
            return []
        keys = [e.casefold() for e in emails]
        chunks = [keys[i : i + self.batch] for i in range(0, len(keys), self.batch)]
        rows: list[Row[Any]] = []
        async with self.ledger.connect() as connection:
            for chunk in chunks:
                rows.extend((await connection.execute(LEDGER_SQL, {"keys": chunk})).all())
        return [
            {
                "invoice_no": r.doc_no,
                "account_no": r.account_ref,
                "bill_to_email": r.customer_email,
                "issued_on": None if r.doc_date is None else str(r.doc_date),
                "due_on": None if r.due_date is None else str(r.due_date),
                "amount": r.gross_amount,
                "amount_paid": r.paid_amount,
                "status": r.doc_status,
                "currency": r.currency_code,
                "kind": r.doc_type,
            }
            for r in rows
        ]

    async def invoices(self, emails: list[str]) -> list[dict[str, Any]]:
        """Billing's invoices then the ledger's, as the gateway merges the two sources."""
        current, legacy = await asyncio.gather(
            self.batched("billing", "/invoices", "bill_to_emails", emails),
            self.ledger_invoices(emails),
        )
        return current + legacy

    async def get(self, system: str, path: str, params: dict[str, str]) -> Any:
        assert self.session is not None
        async with self.session.get(self.urls[system] + path, params=params) as response:
            body = await response.read()
            if response.status >= 400:
                raise RuntimeError(f"{system}{path} answered {response.status}")
            return orjson.loads(body)

    async def records(self, system: str, path: str, params: dict[str, str]) -> list[Any]:
        data: list[Any] = (await self.get(system, path, params))["data"]
        return data

    async def cut_points(self) -> RfmCutPoints | None:
        now = time.monotonic()
        if self._cuts is None or now - self._cuts[0] > RFM_TTL_S:
            self._cuts = (now, shape.cut_points(await self.get("orders", "/stats/rfm", RFM_QUERY)))
        return self._cuts[1]

    async def batched(
        self, system: str, path: str, param: str, keys: list[str]
    ) -> list[dict[str, Any]]:
        """Every record for ``keys``, ``self.batch`` keys per request, all requests at once."""
        chunks = [keys[i : i + self.batch] for i in range(0, len(keys), self.batch)]
        parts = await asyncio.gather(
            *(self.records(system, path, {param: ",".join(chunk)}) for chunk in chunks)
        )
        return [record for part in parts for record in part]


def _by_email(records: Iterable[dict[str, Any]], field: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        grouped.setdefault(str(record.get(field) or "").casefold(), []).append(record)
    return grouped


async def agent_view(sources: FloorSources, phone: str) -> dict[str, Any]:
    # A phone is asked of both customer systems at once, as the gateway does; the bench's
    # callers are CRM people, whose CRM record is the oldest and so the primary.
    contacts: list[Any]
    contacts, _ = await asyncio.gather(
        sources.records("crm", "/contacts", {"phones": phone}),
        sources.records("contacts", "/people", {"phones": phone}),
    )
    if not contacts:
        return {"agentView": None}
    person = shape.primary([shape.profile(c) for c in contacts])
    email = person.email or ""
    # Two gathers nested rather than one of seven: asyncio.gather is typed per argument only up
    # to six, and all seven calls still start at once.
    (orders, invoices, tickets, visits, mentions, weather), cuts = await asyncio.gather(
        asyncio.gather(
            sources.records("orders", "/orders", {"customer_emails": email}),
            sources.invoices([email] if email else []),
            sources.records("support", "/tickets", {"requester_emails": email}),
            sources.records("web", "/visits", {"user_emails": email}),
            sources.records("social", "/mentions", {"handles": person.twitter_handle})
            if person.twitter_handle
            else asyncio.sleep(0, []),
            sources.get(
                "weather",
                "/v1/forecast",
                {
                    "latitude": f"{person.latitude:.2f}",
                    "longitude": f"{person.longitude:.2f}",
                    "current": WEATHER_FIELDS,
                },
            )
            if person.latitude is not None and person.longitude is not None
            else asyncio.sleep(0, None),
        ),
        sources.cut_points(),
    )
    found = {
        "orders": shape.orders(orders),
        "invoices": shape.invoices(invoices),
        "tickets": shape.tickets(tickets),
        "visits": shape.visits(visits),
        "mentions": shape.mentions(mentions),
    }
    now = datetime.now(UTC)
    kind = shape.segment(found, cuts, now)
    # The next best offer: the offers' recorded outcomes in the customer's segment, from
    # the state store the gateway keeps them in (the same file: both run in one folder).
    tallies = await sources.outcomes.tallies([kind.name])
    ranked = ranked_offers(kind.name, person.marketing_consent, tallies, DEFAULT_POLICY)
    offer = ranked[0] if ranked else None
    return shape.agent_view(person, found, weather, kind, offer, now)


async def customer_list(sources: FloorSources, ids: list[str], *, summary: bool) -> dict[str, Any]:
    """``customers(ids:)`` with orders (and invoices and tickets for the summary)."""
    unique = list(dict.fromkeys(ids))
    # A plain id may be either customer system's: both are asked, as the gateway does.
    contacts: list[dict[str, Any]]
    contacts, _ = await asyncio.gather(
        sources.batched("crm", "/contacts", "ids", unique),
        sources.batched("contacts", "/people", "keys", unique),
    )
    people = {c["id"]: shape.profile(c) for c in contacts}
    emails = list(dict.fromkeys((p.email or "").casefold() for p in people.values() if p.email))
    calls = [sources.batched("orders", "/orders", "customer_emails", emails)]
    if summary:
        calls.append(sources.invoices(emails))
        calls.append(sources.batched("support", "/tickets", "requester_emails", emails))
    fetched = await asyncio.gather(*calls)
    orders = _by_email(fetched[0], "customer_email")
    invoices = _by_email(fetched[1], "bill_to_email") if summary else {}
    tickets = _by_email(fetched[2], "requester_email") if summary else {}
    out: list[dict[str, Any] | None] = []
    for crm_id in ids:
        person = people.get(crm_id)
        if person is None:
            out.append(None)
            continue
        key = (person.email or "").casefold()
        if summary:
            found = {
                "orders": shape.orders(orders.get(key, [])),
                "invoices": shape.invoices(invoices.get(key, [])),
                "tickets": shape.tickets(tickets.get(key, [])),
            }
            out.append(shape.customer_summary(person, found))
        else:
            found = {"orders": shape.orders(orders.get(key, []), with_lines=True)}
            out.append(shape.customer_orders(person, found))
    return {"customers": out}


def _json(data: dict[str, Any]) -> Response:
    return Response(orjson.dumps({"data": data}), media_type="application/json")


async def _agent(request: Request) -> Response:
    return _json(await agent_view(request.app.state.sources, request.query_params["phone"]))


async def _summary(request: Request) -> Response:
    ids = orjson.loads(await request.body())["ids"]
    return _json(await customer_list(request.app.state.sources, ids, summary=True))


async def _orders(request: Request) -> Response:
    ids = orjson.loads(await request.body())["ids"]
    return _json(await customer_list(request.app.state.sources, ids, summary=False))


async def _healthz(request: Request) -> Response:
    return Response(b'{"ok":true}', media_type="application/json")


def create_app() -> Starlette:
    """The floor app; source URLs from ``BENCH_SOURCE_URLS`` (the bench sets it)."""
    sources = FloorSources(json.loads(os.environ.get("BENCH_SOURCE_URLS", "{}")))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sources.start()
        try:
            yield
        finally:
            await sources.close()

    app = Starlette(
        routes=[
            Route("/healthz", _healthz),
            Route("/views/agent", _agent),
            Route("/customers/summary", _summary, methods=["POST"]),
            Route("/customers/orders", _orders, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.sources = sources
    return app
