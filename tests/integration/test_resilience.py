"""Slow, dead, flapping and broken sources cost only their own fields, and nobody waits on them.

No test here asserts a duration (CI shares a loaded 2-core box): each pins what
shows that nothing waited, e.g. a timeout error where a wait would have answered,
the breaker's own answer where a wait would have been the probe's, or a source's
request count. How long these take is a figure of ``python -m bench.resilience``.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from tests.demo_harness import DemoSources, graphql
from tests.integration.tuning import tuned_sources
from tests.integration.world import planted, world

QUERY = "query($id: ID) { customer(id: $id) { name orders { id } tickets { id } } }"


async def get_json(url: str) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            return await resp.json()


async def metric(url: str, name: str, **labels: str) -> float:
    """One sample from the gateway's /metrics (0 when the series does not exist yet)."""
    async with aiohttp.ClientSession() as session:
        async with session.get(url + "/metrics") as resp:
            text = await resp.text()
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(rf"^{name}(?:\{{(.*)\}})? ([0-9.e+-]+)$", line)
        if match and ",".join(sorted((match.group(1) or "").split(","))) == wanted:
            return float(match.group(2))
    return 0.0


def errors_by_field(body: dict) -> dict[str, dict]:
    return {error["path"][-1]: error for error in body.get("errors", [])}


async def test_slow_source_beyond_its_timeout_costs_only_its_fields(
    start_gateway: Callable[..., str], demo: DemoSources, tmp_path: Path
) -> None:
    config = tuned_sources(tmp_path, support={"timeout_ms": 300, "resilience": {"retries": 0}})
    url = start_gateway(sources_file=config)
    await demo.knobs("support", latency_ms=3000)
    _, body = await graphql(url, QUERY, {"id": planted("champion").crm_ids[0]})
    customer = body["data"]["customer"]
    assert customer["orders"] and customer["tickets"] is None
    # Support answers after 3 s: a timeout error means its 300 ms timeout ended the wait.
    error = errors_by_field(body)["tickets"]
    assert error["extensions"] == {"code": "SOURCE_TIMEOUT", "source": "support"}


async def test_hanging_source_never_holds_a_request_past_its_deadline(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(request_deadline_ms=500)
    await demo.knobs("support", mode="hang")
    _, body = await graphql(url, QUERY, {"id": planted("champion").crm_ids[0]})
    assert body["data"]["customer"]["orders"]
    error = errors_by_field(body)["tickets"]
    assert error["extensions"]["code"] == "SOURCE_TIMEOUT"
    # Support's own timeout is 1500 ms: the budget the source was given is the request's.
    budget = re.search(r"within (\d+) ms", error["message"])
    assert budget is not None and int(budget.group(1)) <= 500, error["message"]


async def test_source_refusing_connections_is_unavailable_not_a_timeout(
    start_gateway: Callable[..., str], demo: DemoSources, demo_urls: dict[str, str]
) -> None:
    url = start_gateway(source_urls={**demo_urls, "support": "http://127.0.0.1:9"})
    _, body = await graphql(url, QUERY, {"id": planted("champion").crm_ids[0]})
    # Unavailable, not a timeout: a refused connection is not waited out (nor retried into one).
    error = errors_by_field(body)["tickets"]
    assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "support"}
    assert "127.0.0.1" not in error["message"]
    assert body["data"]["customer"]["orders"]


async def test_flapping_source_is_smoothed_by_retries(
    start_gateway: Callable[..., str], demo: DemoSources, tmp_path: Path
) -> None:
    config = tuned_sources(tmp_path, support={"resilience": {"retries": 3, "retry_backoff_ms": 5}})
    url = start_gateway(sources_file=config)
    await demo.knobs("support", failure_rate=0.4)
    ids = [c["id"] for c in world().contacts[100:130]]
    answered = 0
    for crm_id in ids:
        _, body = await graphql(url, QUERY, {"id": crm_id})
        answered += body["data"]["customer"]["tickets"] is not None
    # 40% of calls fail; with three retries a query loses its tickets ~2.6% of the time
    assert answered >= 26, answered
    assert await metric(url, "c360_source_retries_total", source="support") > 0


async def test_breaker_opens_fails_fast_and_recovers_by_itself(
    start_gateway: Callable[..., str], demo: DemoSources, tmp_path: Path
) -> None:
    config = tuned_sources(
        tmp_path,
        support={"resilience": {"retries": 0, "breaker": {"failures": 3, "cooldown_s": 1.0}}},
    )
    url = start_gateway(sources_file=config)
    await demo.knobs("support", mode="error")
    ids = [c["id"] for c in world().contacts[200:206]]
    for crm_id in ids[:3]:
        await graphql(url, QUERY, {"id": crm_id})
    assert (await demo.stats())["support"] == 3
    ready = await get_json(url + "/readyz")
    assert ready["sources"]["support"]["breaker"] == "opened"
    assert ready["degraded"] == ["support"]
    assert await metric(url, "c360_source_breaker_state", source="support") == 2

    _, body = await graphql(url, QUERY, {"id": ids[3]})
    error = errors_by_field(body)["tickets"]
    assert "circuit breaker is open" in error["message"]
    assert error["extensions"]["code"] == "SOURCE_UNAVAILABLE"
    assert (await demo.stats())["support"] == 3, "an open breaker does not call the source"
    assert body["data"]["customer"]["orders"]

    await demo.knobs("support", mode="ok")
    await asyncio.sleep(1.1)
    _, body = await graphql(url, QUERY, {"id": ids[4]})
    # The query after the cool-down starts the probe and does not wait for it: it gets the
    # breaker's answer, not the source's (support is healthy again by now).
    assert "circuit breaker is open" in errors_by_field(body)["tickets"]["message"]
    # The probe runs in the background; the breaker closes once it has answered. (A hang
    # guard, not a speed claim: far longer than the probe's 1500 ms timeout.)
    give_up = time.monotonic() + 30
    while "errors" in body or body["data"]["customer"]["tickets"] is None:
        assert time.monotonic() < give_up, "the breaker did not close after the source healed"
        await asyncio.sleep(0.1)
        _, body = await graphql(url, QUERY, {"id": ids[5]})
    assert (await get_json(url + "/readyz"))["sources"]["support"]["breaker"] == "closed"
    assert (await demo.stats())["support"] >= 3 + 2, "the probe, then the query it let through"


async def test_half_open_breaker_sends_one_probe_and_no_user_waits_for_it(
    start_gateway: Callable[..., str], demo: DemoSources, tmp_path: Path
) -> None:
    config = tuned_sources(
        tmp_path,
        support={"resilience": {"retries": 0, "breaker": {"failures": 2, "cooldown_s": 1.0}}},
    )
    url = start_gateway(sources_file=config)  # support's timeout stays 1500 ms
    await demo.knobs("support", mode="error")
    ids = [c["id"] for c in world().contacts[210:233]]
    for crm_id in ids[:2]:
        await graphql(url, QUERY, {"id": crm_id})
    assert (await get_json(url + "/readyz"))["sources"]["support"]["breaker"] == "opened"

    await demo.knobs("support", mode="hang")
    await asyncio.sleep(1.1)
    answers = await asyncio.gather(*(graphql(url, QUERY, {"id": crm_id}) for crm_id in ids[2:22]))
    await asyncio.sleep(0.2)
    assert (await demo.stats())["support"] == 2 + 1, "one probe, however many callers"
    for _, body in answers:
        # The breaker's own answer: no caller waits for the hanging probe.
        error = errors_by_field(body)["tickets"]
        assert error["extensions"]["code"] == "SOURCE_UNAVAILABLE"
        assert "circuit breaker is open" in error["message"]
        assert body["data"]["customer"]["name"]
    ready = await get_json(url + "/readyz")
    assert ready["sources"]["support"]["breaker"] == "half-opened"
    assert await metric(url, "c360_source_breaker_state", source="support") == 1

    await asyncio.sleep(1.5)  # the probe runs into support's timeout: open for another cool-down
    ready = await get_json(url + "/readyz")
    assert ready["sources"]["support"]["breaker"] == "opened"
    assert ready["sources"]["support"]["last_error_code"] == "SOURCE_TIMEOUT"
    _, body = await graphql(url, QUERY, {"id": ids[22]})
    assert "circuit breaker is open" in errors_by_field(body)["tickets"]["message"]
    assert (await demo.stats())["support"] == 3


async def test_failed_source_is_answered_from_cache_and_marked_stale(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()
    query = "query($id: ID) { customer(id: $id) { invoices { id amount } orders { id } } }"
    crm_id = planted("champion").crm_ids[0]
    _, live = await graphql(url, query, {"id": crm_id})
    assert "extensions" not in live
    await demo.knobs("billing", mode="error")
    _, rescued = await graphql(url, query, {"id": crm_id})
    assert "errors" not in rescued
    assert rescued["data"] == live["data"]
    [note] = rescued["extensions"]["freshness"]
    assert note["source"] == "billing" and note["stale"] is True and note["asOf"]
    assert note["reason"] == "SOURCE_UNAVAILABLE"
    assert await metric(url, "c360_source_cache_total", source="billing", result="stale") >= 1
