"""Demand control: an operation's cost is known before it runs, and too costly ones never run.

Against the real gateway and the demo sources over HTTP: the alias × list
amplification of issue 16 is a 400 ``COST_LIMIT`` naming the cost and the limit,
and no source is asked anything; the saved query and the benchmark's 1,000-id
queries pass the default; a 100,000-id variable is refused before execution; a
client asking ``{"cost": true}`` gets the estimate and the actual cost.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import typer

from bench.scenarios import ORDERS_QUERY
from gateway.app import create_app
from gateway.cli import _check_startup as check_startup
from gateway.demand_control import CostConfigError
from gateway.settings import PROJECT_ROOT, Settings
from tests.demo_harness import DemoSources
from tests.gateway.wire import Reply, assert_still_serving, post_query, request

IDS = [f"C-{10001 + n}" for n in range(1000)]
WIDE = (
    "id name email phone address { city country } orders { id total lines { sku quantity } } "
    "invoices { id amount status } tickets { id subject } weather { temperatureC } segment { name }"
)
AMPLIFIED = (
    "query Amplified($ids: [ID!]!) {\n"
    + "\n".join(f"  a{n}: customers(ids: $ids) {{ {WIDE} }}" for n in range(50))
    + "\n}"
)


async def nothing_asked(demo: DemoSources) -> None:
    assert set((await demo.stats()).values()) == {0}


def assert_cost_limit(reply: Reply, limit: int) -> int:
    assert reply.status == 400, reply.body
    assert "data" not in reply.body
    assert reply.codes == ["COST_LIMIT"]
    extensions = reply.body["errors"][0]["extensions"]
    cost = extensions["cost"]
    assert extensions["limit"] == limit and cost > limit
    assert f"cost is {cost}" in reply.message and f"limit is {limit}" in reply.message
    return int(cost)


async def test_alias_times_list_amplification_is_refused_before_any_source_is_asked(
    gateway_url: str, demo: DemoSources
) -> None:
    reply = await post_query(gateway_url, AMPLIFIED, {"ids": IDS})
    assert_cost_limit(reply, Settings().max_cost)
    await nothing_asked(demo)
    await assert_still_serving(gateway_url)


async def test_the_same_fields_through_fragments_cost_the_same(
    gateway_url: str, demo: DemoSources
) -> None:
    spread = (
        "query Amplified($ids: [ID!]!) {\n"
        + "\n".join(f"  a{n}: customers(ids: $ids) {{ ...Wide }}" for n in range(50))
        + f"\n}}\nfragment Wide on Customer {{ {WIDE} }}"
    )
    direct = await post_query(gateway_url, AMPLIFIED, {"ids": IDS})
    through_fragments = await post_query(gateway_url, spread, {"ids": IDS})
    assert_cost_limit(through_fragments, Settings().max_cost)
    cost = through_fragments.body["errors"][0]["extensions"]["cost"]
    assert cost == direct.body["errors"][0]["extensions"]["cost"]
    await nothing_asked(demo)


async def test_a_100000_id_variable_is_refused_before_execution(
    gateway_url: str, demo: DemoSources
) -> None:
    query = "query Many($ids: [ID!]!) { customers(ids: $ids) { id } }"
    reply = await post_query(gateway_url, query, {"ids": [str(n) for n in range(100_000)]})
    assert reply.status == 400, reply.body
    assert reply.codes == ["BAD_USER_INPUT"]
    assert "$ids holds more than 1000 items; at most 1000" in reply.message
    await nothing_asked(demo)


async def test_a_1001_id_literal_is_refused_before_execution(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(max_tokens=20_000)
    ids = ", ".join(f'"{n}"' for n in range(1001))
    reply = await post_query(url, f"{{ customers(ids: [{ids}]) {{ id }} }}")
    assert reply.status == 400, reply.body
    assert reply.codes == ["BAD_USER_INPUT"]
    assert "'ids' of 'customers' holds 1001 items; at most 1000" in reply.message
    await nothing_asked(demo)


async def test_a_1000_customer_list_with_orders_and_lines_passes_and_reports_its_cost(
    gateway_url: str, demo: DemoSources
) -> None:
    """The benchmark's largest answer (bench/scenarios.py, scenario d) is within the default."""
    reply = await request(
        gateway_url,
        json={"query": ORDERS_QUERY, "variables": {"ids": IDS}, "extensions": {"cost": True}},
    )
    assert reply.status == 200, reply.body
    assert "errors" not in reply.body
    assert len(reply.body["data"]["customers"]) == 1000
    cost = reply.body["extensions"]["cost"]
    assert cost["limit"] == Settings().max_cost
    assert 0 < cost["actual"] < cost["estimated"] <= cost["limit"]


async def test_cost_is_reported_only_when_asked(gateway_url: str, demo: DemoSources) -> None:
    query = '{ customer(id: "C-10001") { id orders { id } } }'
    plain = await post_query(gateway_url, query)
    assert plain.status == 200 and "cost" not in plain.body.get("extensions", {})
    asked = await request(gateway_url, json={"query": query, "extensions": {"cost": True}})
    orders = len(asked.body["data"]["customer"]["orders"])
    # customer (1 + its source read) + id + orders (its read) + one per order and its id
    assert asked.body["extensions"]["cost"]["actual"] == 1 + 10 + 1 + 10 + orders * 2
    assert asked.body["extensions"]["cost"]["estimated"] == 1 + 10 + 1 + 10 + 20 * 2


@pytest.mark.parametrize(
    "saved", sorted(p.stem for p in (PROJECT_ROOT / "queries").glob("*.graphql"))
)
async def test_saved_queries_pass_the_default_limit(
    gateway_url: str, demo: DemoSources, saved: str
) -> None:
    text = (PROJECT_ROOT / "queries" / f"{saved}.graphql").read_text(encoding="utf-8")
    reply = await request(
        gateway_url,
        json={
            "query": text,
            "variables": {"phone": "(555) 010-2345"},
            "extensions": {"cost": True},
        },
    )
    assert reply.status == 200, reply.body
    assert reply.body["extensions"]["cost"]["estimated"] < Settings().max_cost


async def test_a_lower_max_cost_refuses_what_the_default_allows(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(max_cost=5_000)
    summary = "query S($ids: [ID!]!) { customers(ids: $ids) { id orders { id } } }"
    small = await post_query(url, summary, {"ids": IDS[:10]})
    assert small.status == 200 and "errors" not in small.body
    await demo.reset()
    cost = assert_cost_limit(await post_query(url, summary, {"ids": IDS}), 5_000)
    assert cost == 1000 * (1 + 1 + 10 + 20 * 2) + 10
    await nothing_asked(demo)


async def test_a_configured_list_estimate_changes_the_cost(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(cost_list_sizes={"Customer.orders": 100})
    query = '{ customer(id: "C-10001") { orders { id } } }'
    reply = await request(url, json={"query": query, "extensions": {"cost": True}})
    assert reply.body["extensions"]["cost"]["estimated"] == 1 + 10 + 10 + 100 * 2


async def test_an_answer_over_max_answer_bytes_becomes_one_error(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(max_answer_bytes=4_096)
    query = "query S($ids: [ID!]!) { customers(ids: $ids) { id name email phone } }"
    reply = await post_query(url, query, {"ids": IDS[:200]})
    assert reply.body["data"] is None
    assert reply.codes == ["RESPONSE_TOO_LARGE"]
    assert "at most 4096" in reply.message
    assert int(reply.headers["content-length"]) < 4_096
    fine = await post_query(url, query, {"ids": IDS[:2]})
    assert len(fine.body["data"]["customers"]) == 2


def test_a_misspelt_list_estimate_stops_the_start(
    demo_urls: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(source_urls=demo_urls, cost_list_sizes={"Customer.order": 5})
    with pytest.raises(CostConfigError, match=r"Customer\.order names no list field"):
        create_app(settings)
    with pytest.raises(typer.Exit):
        check_startup(settings)
    assert "C360_COST_LIST_SIZES: Customer.order names no list field" in capsys.readouterr().err
