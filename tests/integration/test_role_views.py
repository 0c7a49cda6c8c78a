"""The CMO's and CEO's views against the running demo systems, over GraphQL and REST.

Expected figures are counted here from the demo world's own records (the
systems' truth), not taken from the gateway's code.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from gateway.settings import DEMO_SOURCES
from queries import saved_queries_dir
from sources.demo.opportunities import canonical_stage
from tests.demo_harness import DemoSources, graphql
from tests.integration.world import world

BUSINESS_SYSTEMS = ("marketing", "opportunities", "surveys", "orders")
CMO = (saved_queries_dir() / "cmo.graphql").read_text()
CEO = (saved_queries_dir() / "ceo.graphql").read_text()


async def rest(url: str, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.get(url + path) as resp:
            return resp.status, await resp.json(content_type=None)


async def requests_by_path(demo: DemoSources) -> dict[str, int]:
    """Business requests per `system path` since the last reset, for the business systems."""
    counted: dict[str, int] = {}
    for system in BUSINESS_SYSTEMS:
        stats = await demo._call("GET", system, "/_demo/stats")
        counted.update({f"{system} {path}": n for path, n in stats["by_path"].items()})
    return counted


async def reset(demo: DemoSources) -> None:
    for system in BUSINESS_SYSTEMS:
        await demo._call("POST", system, "/_demo/reset")
        await demo.knobs(system, latency_ms=0, failure_rate=0.0, mode="ok")


def window(months: int) -> list[str]:
    now = datetime.now(UTC)
    found = []
    year, month = now.year, now.month
    for _ in range(months):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


async def test_cmo_leads_by_channel_and_month_are_the_marketing_systems_leads(
    gateway_url: str, demo: DemoSources
) -> None:
    months = window(6)
    channel = {c["campaign_id"]: c["channel"] for c in world().campaigns}
    expected = Counter(
        (lead["created_at"][:7], channel[lead["campaign_id"]])
        for lead in world().leads
        if lead["created_at"][:7] in months
    )
    _, body = await graphql(gateway_url, CMO, {"months": 6})
    view = body["data"]["cmoView"]
    assert view["months"] == months
    rows = view["leadGeneration"]["rows"]
    assert {(r["month"], r["channel"]): r["leads"] for r in rows} == dict(expected)
    assert sum(r["leads"] for r in rows) > 50


async def test_ceo_large_deals_are_the_open_deals_over_the_threshold(
    gateway_url: str, demo: DemoSources
) -> None:
    for threshold in (None, 20_000.0):
        _, body = await graphql(gateway_url, CEO, {"minAmount": threshold})
        deals = body["data"]["ceoView"]["largeDeals"]
        used = 50_000.0 if threshold is None else threshold  # the setting's default
        expected = sorted(
            (-float(o["amount"]), o["opportunity_id"])
            for o in world().opportunities
            if canonical_stage(o["stage"]) not in ("closed_won", "closed_lost")
            and float(o["amount"]) >= used
        )[:20]
        assert deals["threshold"] == used
        assert [d["id"] for d in deals["deals"]] == [oid for _, oid in expected]
        assert expected, "the demo world plants no large deal"


async def test_views_push_down_to_reports_and_answer_from_memory_when_warm(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()
    await reset(demo)
    status, cold = await rest(url, "/views/cmo")
    assert status == 200 and "errors" not in cold
    status, _ = await rest(url, "/views/ceo")
    assert status == 200
    asked = await requests_by_path(demo)
    # One request per report or population per view (the leads report serves the CMO's
    # lead generation and campaign sections at once); the revenue section, the same
    # figures in both views, is computed once for both.
    assert asked == {
        "marketing /campaigns": 1,
        "marketing /campaign-costs": 1,
        "marketing /stats/leads": 2,
        "opportunities /opportunities": 1,  # the CEO's large deals and deals created
        "opportunities /stats/won": 1,
        "opportunities /stats/pipeline": 1,
        "surveys /stats/nps": 1,
        "orders /stats/revenue": 1,
        "orders /stats/rfm": 1,  # the population the segments are counted from
    }
    status, warm = await rest(url, "/views/cmo")
    await rest(url, "/views/ceo")
    assert await requests_by_path(demo) == asked  # nothing asked again within the TTL
    assert warm == cold  # same figures, same as-of times
    as_of = datetime.fromisoformat(cold["data"]["cmoView"]["pipelineHealth"]["asOf"])
    assert timedelta(0) <= datetime.now(UTC) - as_of < timedelta(minutes=5)


async def test_a_dead_marketing_system_costs_only_its_sections(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(role_view_ttl_s=0)
    await reset(demo)
    await demo.knobs("marketing", mode="error")
    try:
        status, body = await rest(url, "/views/cmo")
    finally:
        await demo.knobs("marketing", mode="ok")
    view = body["data"]["cmoView"]
    assert status == 200
    assert view["leadGeneration"] is None and view["campaignPerformance"] is None
    assert view["pipelineHealth"]["stages"] and view["netRevenue"]["months"]
    failed = {tuple(e["path"]) for e in body["errors"]}
    assert failed == {("cmoView", "leadGeneration"), ("cmoView", "campaignPerformance")}
    assert all("marketing" in str(e) for e in body["errors"])


async def test_rest_views_name_the_bad_variable_and_list_the_views(gateway_url: str) -> None:
    status, body = await rest(gateway_url, "/views/cmo?months=twelve")
    assert status == 400 and "months" in body["errors"][0]["message"]
    status, body = await rest(gateway_url, "/views/ceo?minAmount=lots")
    assert status == 400 and "minAmount" in body["errors"][0]["message"]
    status, body = await rest(gateway_url, "/views/ceo?months=99")
    assert status == 400 and "months" in body["errors"][0]["message"]
    status, body = await rest(gateway_url, "/views/cfo")
    assert status == 404
    assert all(name in body["errors"][0]["message"] for name in ("agent", "ceo", "cmo"))
    status, body = await rest(gateway_url, "/dashboards/cfo")
    assert status == 404 and "agent, ceo, cmo" in body["errors"][0]["message"]


async def test_cmo_segments_cover_the_order_systems_customers_of_the_window(
    gateway_url: str, demo: DemoSources
) -> None:
    today = world().today
    bought = {
        order["customer_id"]
        for order in world().orders
        if order["status"] != "cancelled"
        and order["total"] > 0
        and 0 <= (today - datetime.fromisoformat(order["placed_at"][:10]).date()).days < 365
    }
    _, body = await graphql(gateway_url, CMO)
    segments = body["data"]["cmoView"]["segments"]
    assert segments["customers"] == len(bought)
    buying = [s for s in segments["sizes"] if s["segment"] != "Lapsed"]
    assert sum(s["customers"] for s in buying) == len(bought)
    assert segments["compareDays"] == 90
    moved = sum(m["customers"] for m in segments["movements"])
    assert moved == sum(s["customers"] for s in segments["sizes"])  # everyone is somewhere now


async def test_without_the_systems_reports_the_views_count_the_records_alike(
    gateway_url: str, start_gateway: Callable[..., str], tmp_path: Path, demo: DemoSources
) -> None:
    """A marketing tool, CRM or survey system with no report endpoint: same figures."""
    config = yaml.safe_load(DEMO_SOURCES.read_text())
    del config["sources"]["marketing"]["entities"]["leads_report"]
    del config["sources"]["opportunities"]["entities"]["pipeline_report"]
    del config["sources"]["opportunities"]["entities"]["won_report"]
    del config["sources"]["surveys"]["entities"]["nps_report"]
    plain = tmp_path / "sources.yaml"
    plain.write_text(yaml.safe_dump(config))
    counting = start_gateway(sources_file=plain)
    await reset(demo)
    _, counted = await graphql(counting, CMO)
    asked = await requests_by_path(demo)
    assert not any("/stats/" in path for path in asked if not path.startswith("orders"))
    _, reported = await graphql(gateway_url, CMO)
    for section, rows in (
        ("leadGeneration", "rows"),
        ("campaignPerformance", "campaigns"),
        ("pipelineHealth", "stages"),
    ):
        assert (
            counted["data"]["cmoView"][section][rows] == reported["data"]["cmoView"][section][rows]
        )
    ceo = "query { ceoView { nps { score trend months { month responses promoters nps } } } }"
    _, counted = await graphql(counting, ceo)
    _, reported = await graphql(gateway_url, ceo)
    assert counted["data"] == reported["data"]
    assert counted["data"]["ceoView"]["nps"]["months"][0]["responses"] > 0


async def test_a_figure_served_from_a_stale_copy_says_how_old_it_is(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(role_view_ttl_s=0)  # every request computes, from the sources
    await reset(demo)
    status, fresh = await rest(url, "/views/cmo")
    assert status == 200 and "errors" not in fresh
    read = datetime.fromisoformat(fresh["data"]["cmoView"]["campaignPerformance"]["asOf"])
    await asyncio.sleep(2)
    await demo.knobs("marketing", mode="error")
    try:
        asked_at = datetime.now(UTC)
        status, stale = await rest(url, "/views/cmo")
    finally:
        await demo.knobs("marketing", mode="ok")
    campaigns = stale["data"]["cmoView"]["campaignPerformance"]
    assert campaigns["campaigns"] == fresh["data"]["cmoView"]["campaignPerformance"]["campaigns"]
    as_of = datetime.fromisoformat(campaigns["asOf"])
    assert as_of <= read + timedelta(seconds=1) < asked_at  # the copy's time, not now
    assert "marketing" in str(stale.get("extensions", {}))  # and the answer says it is stale
