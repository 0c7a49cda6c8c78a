"""Health, readiness and Prometheus metrics, as an operator's scraper sees them."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp

from tests.demo_harness import DemoSources, graphql
from tests.integration.test_resilience import metric
from tests.integration.world import planted


async def test_healthz_and_readyz_report_every_source(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()
    async with aiohttp.ClientSession() as session:
        async with session.get(url + "/healthz") as resp:
            assert resp.status == 200 and (await resp.json()) == {"ok": True}
        async with session.get(url + "/readyz") as resp:
            ready = await resp.json()
    assert resp.status == 200 and ready["ok"] is True and ready["degraded"] == []
    assert set(ready["sources"]) >= {"crm", "orders", "billing", "support", "web", "social"}
    assert all(s["breaker"] == "closed" for s in ready["sources"].values())


async def test_metrics_count_operations_sources_errors_and_cache(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()
    crm_id = planted("champion").crm_ids[0]
    query = "query Lookup($id: ID) { customer(id: $id) { orders { id } invoices { id } } }"
    ops_before = await metric(url, "c360_operations_total", operation="Lookup", outcome="ok")
    await graphql(url, query, {"id": crm_id})
    await demo.knobs("billing", mode="error")
    await graphql(url, query, {"id": planted("no_orders").crm_ids[0]})
    assert await metric(url, "c360_operations_total", operation="Lookup", outcome="ok") == (
        ops_before + 1
    )
    assert await metric(url, "c360_operations_total", operation="Lookup", outcome="error") >= 1
    assert await metric(url, "c360_graphql_errors_total", code="SOURCE_UNAVAILABLE") >= 1
    assert await metric(url, "c360_source_requests_total", source="orders", outcome="ok") >= 2
    assert (
        await metric(
            url, "c360_source_requests_total", source="billing", outcome="SOURCE_UNAVAILABLE"
        )
        >= 1
    )
    assert await metric(url, "c360_source_request_seconds_count", source="orders") >= 2
    assert await metric(url, "c360_operation_seconds_count", operation="Lookup") >= 2
    assert await metric(url, "c360_source_cache_total", source="orders", result="miss") >= 2
