"""A foreign orders system through a gateway of our own, described by config alone.

The system is a small aiohttp app in front of the demo's orders: it wants
upper-case emails as repeated parameters (``?customer=A&customer=B``), answers
one group per customer (``{"customer": ..., "orders": [...]}``) and one group
per page behind a cursor. The demo's config is edited as a user would; the
customer's orders come out as they do from the demo's own orders system, and a
cursor that repeats is an error on ``orders`` only, naming the source.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.settings import DEMO_SOURCES
from tests.demo_harness import DemoSources, graphql
from tests.integration.world import planted

QUERY = "query($id: ID) { customer(id: $id) { name orders { id total } invoices { id } } }"

FOREIGN_LOOKUP = {
    "path": "/v2/orders",
    "query": {"customer": "{keys*}"},
    "key_format": "upper",
    "group": {"at": "results", "key": "customer", "records": "orders"},
    "paging": {"cursor_at": "meta.next_cursor", "cursor_param": "cursor"},
}


@dataclass
class ForeignOrders:
    url: str = ""
    asked: list[list[tuple[str, str]]] = field(default_factory=list)
    loop_cursor: bool = False


@pytest.fixture
async def foreign(demo: DemoSources) -> AsyncIterator[ForeignOrders]:
    state = ForeignOrders()

    async def orders(request: web.Request) -> web.Response:
        state.asked.append(list(request.query.items()))
        customers = request.query.getall("customer")
        emails = ",".join(c.lower() for c in customers)
        async with aiohttp.ClientSession() as session:
            demo_url = f"{demo.urls['orders']}/orders"
            async with session.get(demo_url, params={"customer_emails": emails}) as resp:
                records = (await resp.json())["data"]
        groups = [
            {"customer": c, "orders": [r for r in records if r["customer_email"] == c.lower()]}
            for c in customers
        ]
        page = int(request.query.get("cursor", "0"))
        following = page + 1 if page + 1 < len(groups) else None
        if state.loop_cursor:
            following = 7
        return web.json_response(
            {"results": groups[page : page + 1], "meta": {"next_cursor": following}}
        )

    app = web.Application()
    app.router.add_get("/v2/orders", orders)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state.url = str(server.make_url("")).rstrip("/")
    try:
        yield state
    finally:
        await server.close()


def foreign_config(tmp_path: Path) -> Path:
    config = yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))
    config["sources"]["orders"]["entities"]["orders"]["lookups"]["email"] = FOREIGN_LOOKUP
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


async def test_grouped_paged_upper_case_orders_answer_as_the_demos_own(
    start_gateway: Callable[..., str],
    demo_urls: dict[str, str],
    foreign: ForeignOrders,
    tmp_path: Path,
) -> None:
    customer_id = planted("champion").crm_ids[0]
    baseline = start_gateway()
    _, expected = await graphql(baseline, QUERY, {"id": customer_id})
    assert expected["data"]["customer"]["orders"]

    gateway = start_gateway(
        sources_file=foreign_config(tmp_path), source_urls={**demo_urls, "orders": foreign.url}
    )
    _, answer = await graphql(gateway, QUERY, {"id": customer_id})

    assert answer == expected
    first = foreign.asked[0]
    names = [name for name, _ in first]
    assert names.count("customer") >= 1 and "cursor" not in names
    assert all(value == value.upper() for name, value in first if name == "customer")
    assert len(foreign.asked) == len([n for n in names if n == "customer"])  # a page per group


async def test_a_repeating_cursor_fails_orders_only_naming_the_source(
    start_gateway: Callable[..., str],
    demo_urls: dict[str, str],
    foreign: ForeignOrders,
    tmp_path: Path,
) -> None:
    foreign.loop_cursor = True
    gateway = start_gateway(
        sources_file=foreign_config(tmp_path), source_urls={**demo_urls, "orders": foreign.url}
    )

    _, answer = await graphql(gateway, QUERY, {"id": planted("champion").crm_ids[0]})

    customer = answer["data"]["customer"]
    assert customer["orders"] is None
    assert customer["name"] and customer["invoices"] is not None
    [error] = answer["errors"]
    assert error["path"] == ["customer", "orders"]
    assert error["extensions"] == {"code": "SOURCE_BAD_RESPONSE", "source": "orders"}
    assert error["message"] == "orders: orders: paging does not end: the same cursor twice"
