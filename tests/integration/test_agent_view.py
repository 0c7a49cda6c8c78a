"""The call-center agent's view, as GraphQL and as the REST view of the saved query."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp

from gateway.settings import PROJECT_ROOT
from tests.demo_harness import DemoSources, graphql
from tests.integration.world import contact, planted

AGENT_QUERY = (PROJECT_ROOT / "queries" / "agent.graphql").read_text(encoding="utf-8")


async def rest_view(url: str, path: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.get(url + path) as resp:
            return resp.status, await resp.json(content_type=None)


async def test_red_customer_shows_red_with_reasons(gateway_url: str, demo: DemoSources) -> None:
    phone = contact(planted("red_health").crm_ids[0])["phone"]
    _, body = await graphql(gateway_url, AGENT_QUERY, {"phone": phone})
    view = body["data"]["agentView"]
    assert view["health"]["light"] == "RED"
    codes = {r["code"] for r in view["health"]["reasons"]}
    assert {"OPEN_TICKET", "OVERDUE_INVOICE", "NEGATIVE_MENTION"} <= codes
    assert any(t["priority"] == "urgent" for t in view["openTickets"])
    assert any(i["status"] == "overdue" for i in view["unpaidInvoices"])
    assert any(m["sentiment"] == "negative" for m in view["recentMentions"])


async def test_abandoned_cart_today_shows_in_todays_activity(
    gateway_url: str, demo: DemoSources
) -> None:
    phone = contact(planted("abandoned_cart_today").crm_ids[0])["phone"]
    _, body = await graphql(gateway_url, AGENT_QUERY, {"phone": phone})
    view = body["data"]["agentView"]
    assert any(v["cartStatus"] == "abandoned" for v in view["webActivityToday"])
    assert "ABANDONED_CART" in {r["code"] for r in view["health"]["reasons"]}


async def test_rest_view_returns_the_saved_query_json(gateway_url: str, demo: DemoSources) -> None:
    status, rest = await rest_view(gateway_url, "/views/agent?phone=%28555%29%20010-2345")
    assert status == 200
    _, direct = await graphql(gateway_url, AGENT_QUERY, {"phone": "(555) 010-2345"})
    assert rest == direct
    assert rest["data"]["agentView"]["customer"]["id"] == planted("phone_formats").crm_ids[0]


async def test_rest_view_input_errors_are_4xx_naming_the_problem(
    gateway_url: str, demo: DemoSources
) -> None:
    status, body = await rest_view(gateway_url, "/views/agent")
    assert status == 400 and "missing query parameter 'phone'" in body["errors"][0]["message"]
    status, body = await rest_view(gateway_url, "/views/agent?phone=1&colour=red")
    assert status == 400 and "unknown query parameter 'colour'" in body["errors"][0]["message"]
    status, body = await rest_view(gateway_url, "/views/nope")
    assert status == 404 and "agent" in body["errors"][0]["message"]
    assert (await demo.stats())["crm"] == 0


async def test_rest_view_of_unknown_caller_is_null(gateway_url: str, demo: DemoSources) -> None:
    status, body = await rest_view(gateway_url, "/views/agent?phone=%2B1%20212%20000%200000")
    assert status == 200
    assert body == {"data": {"agentView": None}}


async def test_rfm_and_segment_use_population_cut_points(
    gateway_url: str, demo: DemoSources
) -> None:
    crm_id = planted("champion").crm_ids[0]
    query = """query($id: ID) { customer(id: $id) {
        rfm { code recency frequency monetary populationAsOf } segment { name } } }"""
    _, body = await graphql(gateway_url, query, {"id": crm_id})
    await demo.reset()
    customer = body["data"]["customer"]
    assert customer["rfm"]["recency"] >= 4 and customer["rfm"]["frequency"] >= 4
    assert customer["rfm"]["populationAsOf"]
    assert customer["segment"]["name"] == "Champions"
    _, again = await graphql(gateway_url, query, {"id": crm_id})
    assert again == body
    # the population's cut points are cached with their TTL: only the orders are fetched again
    assert (await demo.stats())["orders"] == 1


async def test_weather_is_described_in_words(gateway_url: str, demo: DemoSources) -> None:
    crm_id = planted("champion").crm_ids[0]
    _, body = await graphql(
        gateway_url,
        "query($id: ID) { customer(id: $id) { weather { temperatureC description observedAt } } }",
        {"id": crm_id},
    )
    weather = body["data"]["customer"]["weather"]
    assert isinstance(weather["temperatureC"], float) and weather["description"]


async def test_a_dead_source_costs_only_the_sections_made_of_it(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()
    await demo.knobs("support", mode="error")
    phone = contact(planted("red_health").crm_ids[0])["phone"]
    _, body = await graphql(url, AGENT_QUERY, {"phone": phone})
    view = body["data"]["agentView"]
    assert view["openTickets"] is None and view["health"] is None
    assert view["recentOrders"] and view["unpaidInvoices"] and view["customer"]["name"]
    assert {tuple(e["path"]) for e in body["errors"]} == {
        ("agentView", "health"),
        ("agentView", "openTickets"),
    }


async def test_a_skipped_section_is_not_fetched(gateway_url: str, demo: DemoSources) -> None:
    query = """query($phone: String!) { agentView(phone: $phone) {
        recentOrders { id } recentMentions @skip(if: true) { id } } }"""
    phone = contact(planted("red_health").crm_ids[0])["phone"]
    _, body = await graphql(gateway_url, query, {"phone": phone})
    assert body["data"]["agentView"]["recentOrders"]
    stats = await demo.stats()
    assert stats["social"] == 0 and stats["orders"] == 1 and stats["support"] == 0
