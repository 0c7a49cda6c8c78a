"""The scenarios: what each server is asked, at what concurrency, and how its answer is checked.

Every scenario says, for each kind of server (floor, peer, gateway), which HTTP
requests carry the same logical question, so that answers can be compared with
the floor's before anything is timed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.load import HttpRequest
from bench.workload import Workload

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
FLOOR = "floor"
PEERS = ("peer-per-customer", "peer-batched")
GATEWAYS = ("unbatched", "generic", "c360")
"""This gateway with batching off, with compiled plans off (graphql-core executes all), as is."""
GATEWAY_FACTORIES = {
    "unbatched": "bench.gateways:create_unbatched_app",
    "generic": "gateway.asgi:create_app",
    "c360": "gateway.asgi:create_app",
}
"""The ``uvicorn --factory`` app of each gateway row; batching off is a bench-only factory."""
GATEWAY_SETTINGS = {"generic": {"C360_COMPILED": "false"}}
"""Environment settings of each gateway row beyond the common ones."""
KINDS = (FLOOR, *PEERS, *GATEWAYS)

SUMMARY_QUERY = """query Summary($ids: [ID!]!) {
  customers(ids: $ids) {
    id name
    orders { id placedAt total status }
    invoices { id amount status }
    tickets { id subject status }
  }
}"""

ORDERS_QUERY = """query AllOrders($ids: [ID!]!) {
  customers(ids: $ids) { id orders { id placedAt total status lines { sku quantity unitPrice } } }
}"""

PEER_AGENT_QUERY = """query Agent($phone: String) {
  contacts: getContacts(phones: $phone) { data {
    id first_name last_name email phone street city state postal_code country created_at
    twitter_handle latitude longitude
    orders { order_id placed_at status total currency }
    invoices { invoice_no issued_on due_on amount amount_paid status currency kind }
    tickets { ticket_id subject status priority channel created_at }
    visits { session_id started_at pages_viewed landing_page cart { status value items } }
    mentions { mention_id network text sentiment sentiment_score posted_at }
    weather { current { temperature_2m weather_code } }
  } }
  rfm: getRfmCutPoints { as_of recency_days frequency monetary }
}"""

PEER_SUMMARY_FIELDS = """id first_name last_name email
    orders { order_id placed_at total status }
    invoices { invoice_no amount status }
    tickets { ticket_id subject status }"""

PEER_ORDERS_FIELDS = """id email
    orders { order_id placed_at total status lines { sku quantity unit_price } }"""

PEER_CRM_BATCH = 500
"""The CRM answers at most 500 ids per request; the peer's query splits longer lists."""

Json = dict[str, Any]
Build = Callable[[str, Any], HttpRequest | None]
Check = Callable[[str, Json, Json], str | None]


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    concurrency: tuple[int, ...]
    inputs: tuple[Any, ...]
    build: Build
    check: Check
    kinds: tuple[str, ...] = KINDS
    note: str = ""
    min_duration_s: float = 0.0
    """Rows whose requests take seconds are timed at least this long, or none would complete."""


def _post_json(path: str, payload: Json) -> HttpRequest:
    return HttpRequest("POST", path, json.dumps(payload, separators=(",", ":")).encode())


def _graphql(query: str, variables: Json) -> HttpRequest:
    return _post_json("/graphql", {"query": query, "variables": variables})


def _peer_list(fields: str, ids: tuple[str, ...]) -> HttpRequest:
    chunks = [ids[i : i + PEER_CRM_BATCH] for i in range(0, len(ids), PEER_CRM_BATCH)]
    params = ", ".join(f"$ids{n}: String" for n in range(len(chunks)))
    roots = "\n".join(
        f"  c{n}: getContacts(ids: $ids{n}) {{ data {{ {fields} }} }}" for n in range(len(chunks))
    )
    query = f"query List({params}) {{\n{roots}\n}}"
    return _graphql(query, {f"ids{n}": ",".join(chunk) for n, chunk in enumerate(chunks)})


def first_difference(expected: Any, got: Any, path: str = "data") -> str | None:
    """Where two decoded JSON answers first differ (numbers compare by value), or None."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in expected.keys() | got.keys():
            if key not in got or key not in expected:
                return f"{path}.{key} is missing on one side"
            found = first_difference(expected[key], got[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return f"{path}: {len(got)} items, the floor has {len(expected)}"
        for index, (a, b) in enumerate(zip(expected, got, strict=True)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if expected != got:
        return f"{path}: {str(got)[:60]!r}, the floor has {str(expected)[:60]!r}"
    return None


def _ids(items: list[Json] | None, key: str = "id") -> set[str]:
    return {str(item[key]) for item in items or []}


def _peer_contacts(answer: Json) -> list[Json]:
    data = answer.get("data") or {}
    contacts: list[Json] = []
    for root in data.values():
        if isinstance(root, dict) and isinstance(root.get("data"), list):
            contacts.extend(root["data"])
    return contacts


def check_agent(kind: str, floor: Json, answer: Json) -> str | None:
    """Gateways: the very same JSON. The peer (no domain logic): the floor's records are its own."""
    if kind not in PEERS:
        return first_difference(floor.get("data"), answer.get("data"))
    view = (floor.get("data") or {}).get("agentView")
    contacts = _peer_contacts(answer)
    if view is None:
        return None if not contacts else "peer found a caller the floor did not"
    if not contacts:
        return "peer found no caller"
    person = sorted(contacts, key=lambda c: (c.get("created_at") or "", c["id"]))[0]
    if person["id"] != view["customer"]["id"]:
        return f"peer's caller is {person['id']}, the floor's {view['customer']['id']}"
    pairs = (
        ("recentOrders", "orders", "order_id"),
        ("openTickets", "tickets", "ticket_id"),
        ("webActivityToday", "visits", "session_id"),
        ("recentMentions", "mentions", "mention_id"),
    )
    for floor_key, peer_key, id_key in pairs:
        missing = _ids(view[floor_key]) - _ids(person.get(peer_key), id_key)
        if missing:
            return f"peer's {peer_key} lack {sorted(missing)[:3]}"
    return None


def check_list(kind: str, floor: Json, answer: Json) -> str | None:
    """Gateways: the same JSON. Peer: per customer the same orders and tickets (invoices ⊆)."""
    if kind not in PEERS:
        return first_difference(floor.get("data"), answer.get("data"))
    by_id = {c["id"]: c for c in _peer_contacts(answer)}
    differ = 0
    for entry in floor["data"]["customers"]:
        if entry is None:
            continue
        peer = by_id.get(entry["id"])
        if peer is None:
            return f"peer lacks customer {entry['id']}"
        same = _ids(entry["orders"]) == _ids(peer.get("orders"), "order_id")
        if "tickets" in entry:
            same = same and _ids(entry["tickets"]) == _ids(peer.get("tickets"), "ticket_id")
            same = same and _ids(peer.get("invoices"), "invoice_no") <= _ids(entry["invoices"])
        differ += not same
    return f"records differ for {differ} customer(s)" if differ else None


def agent_saved(workload: Workload, concurrency: tuple[int, ...]) -> Scenario:
    def build(kind: str, phone: str) -> HttpRequest:
        if kind in PEERS:
            return _graphql(PEER_AGENT_QUERY, {"phone": phone})
        return HttpRequest("GET", f"/views/agent?phone={quote(phone)}", None, ())

    return Scenario(
        "a-agent-saved",
        "a. agent view by phone, saved query (GET /views/agent)",
        concurrency,
        workload.phones,
        build,
        check_agent,
        note="peer: the same source records in one GraphQL query (it has no health light, "
        "segment or SQL ledger)",
    )


def agent_adhoc(
    workload: Workload, concurrency: tuple[int, ...], kinds: tuple[str, ...] = KINDS
) -> Scenario:
    text = (QUERIES / "agent.graphql").read_text(encoding="utf-8")

    def build(kind: str, phone: str) -> HttpRequest:
        if kind in PEERS:
            return _graphql(PEER_AGENT_QUERY, {"phone": phone})
        if kind == FLOOR:
            return HttpRequest("GET", f"/views/agent?phone={quote(phone)}", None, ())
        return _graphql(text, {"phone": phone})

    return Scenario(
        "b-agent-adhoc",
        "b. agent view, ad-hoc query text (POST /graphql with queries/agent.graphql)",
        concurrency,
        workload.phones,
        build,
        check_agent,
        kinds,
    )


def customer_summary(
    workload: Workload, size: int, concurrency: tuple[int, ...], kinds: tuple[str, ...] = KINDS
) -> Scenario:
    lists = workload.lists_50 if size == 50 else workload.lists_500

    def build(kind: str, ids: tuple[str, ...]) -> HttpRequest:
        if kind in PEERS:
            return _peer_list(PEER_SUMMARY_FIELDS, ids)
        if kind == FLOOR:
            return _post_json("/customers/summary", {"ids": list(ids)})
        return _graphql(SUMMARY_QUERY, {"ids": list(ids)})

    return Scenario(
        f"c-customers-{size}",
        f"c. {size} customers with orders, invoices and tickets (customers(ids:))",
        concurrency,
        lists,
        build,
        check_list,
        kinds,
    )


def ten_thousand_orders(
    workload: Workload, concurrency: tuple[int, ...], kinds: tuple[str, ...] = KINDS
) -> Scenario:
    ids = workload.ids_orders

    def build(kind: str, _: object) -> HttpRequest:
        if kind in PEERS:
            return _peer_list(PEER_ORDERS_FIELDS, ids)
        if kind == FLOOR:
            return _post_json("/customers/orders", {"ids": list(ids)})
        return _graphql(ORDERS_QUERY, {"ids": list(ids)})

    return Scenario(
        "d-10k-orders",
        f"d. one response with {workload.orders_in_ids_orders:,} orders "
        f"({len(ids)} customers, with lines)",
        concurrency,
        (None,),
        build,
        check_list,
        kinds,
        min_duration_s=4.0,
    )


def role_views() -> list[str]:
    """Saved queries of the CMO and CEO that exist yet (scenario e)."""
    return [name for name in ("cmo", "ceo") if (QUERIES / f"{name}.graphql").exists()]


def role_view(name: str, concurrency: tuple[int, ...]) -> Scenario:
    """A role's saved view with no parameters; there is no floor for it, so it is not compared."""

    def build(kind: str, _: object) -> HttpRequest | None:
        return HttpRequest("GET", f"/views/{name}", None, ()) if kind in GATEWAYS else None

    return Scenario(
        f"e-{name}",
        f"e. the {name.upper()} saved query (GET /views/{name})",
        concurrency,
        (None,),
        build,
        lambda kind, floor, answer: None if answer.get("data") else "no data",
        GATEWAYS,
        note="no floor or peer for role views: figures only",
    )
