"""The shell every demo system shares: counters, knobs, failure modes and batch limits."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from sources.demo.cluster import DemoCluster
from sources.demo.control import DemoCallFailed, DemoControl


async def test_counters_count_business_requests_only_and_reset(
    cluster: DemoCluster, control: DemoControl, http: aiohttp.ClientSession
) -> None:
    await control.get("crm", "/contacts", ids="C-10001")
    await control.get("crm", "/contacts", emails="nobody@example.com")
    await control.get("crm", "/accounts", ids="A-501")
    for ops_path in ("/healthz", "/openapi.json", "/_demo/knobs", "/_demo/stats"):
        async with http.get(cluster.urls["crm"] + ops_path) as response:
            assert response.status == 200
    await control.get("orders", "/customers/OC-000101/orders")
    assert await control.stats("crm") == {
        "system": "crm",
        "requests": 3,
        "by_path": {"/accounts": 1, "/contacts": 2},
    }
    assert (await control.stats("orders"))["by_path"] == {"/customers/{id}/orders": 1}
    await control.reset()
    assert (await control.stats("crm"))["requests"] == 0
    assert (await control.stats("orders"))["by_path"] == {}


async def test_latency_knob_delays_every_business_answer_but_not_the_ops_routes(
    control: DemoControl,
) -> None:
    await control.set_knobs("support", latency_ms=1000)
    started = time.perf_counter()
    business = asyncio.create_task(
        control.get("support", "/tickets", requester_emails="a@example.com")
    )
    await control.stats("support")
    assert not business.done(), "the ops route answered while the business answer still waits"
    await business
    # A lower bound only (the knob's own sleep): a loaded machine cannot make it fail.
    assert time.perf_counter() - started >= 1.0


@pytest.mark.parametrize("mode", ["error", "garbage", "wrong_shape"])
async def test_broken_modes_answer_as_advertised(
    mode: str, cluster: DemoCluster, control: DemoControl, http: aiohttp.ClientSession
) -> None:
    await control.set_knobs("billing", mode=mode)
    async with http.get(f"{cluster.urls['billing']}/accounts", params={"emails": "x@y.z"}) as reply:
        body = await reply.text()
        status, content_type = reply.status, reply.content_type
    if mode == "error":
        assert status == 500 and "error" in json.loads(body)
    elif mode == "garbage":
        assert (status, content_type, body) == (200, "application/json", "<html>not json")
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)
    else:
        assert (status, json.loads(body)) == (200, {"data": "oops"})
    assert (await control.get("billing", "/healthz")) == {"ok": True}
    await control.set_knobs("billing", mode="ok")
    assert (await control.get("billing", "/accounts", emails="x@y.z")) == {"data": []}


async def test_hang_mode_never_answers_and_does_not_block_shutdown(
    cluster: DemoCluster, control: DemoControl, http: aiohttp.ClientSession
) -> None:
    await control.set_knobs("web", mode="hang")
    with pytest.raises(asyncio.TimeoutError):
        await control.session.get(
            f"{cluster.urls['web']}/visits?user_emails=a@b.c",
            timeout=aiohttp.ClientTimeout(total=0.3),
        )
    pending = asyncio.create_task(control.get("web", "/visits", user_emails="a@b.c"))
    await asyncio.sleep(0.1)
    # A hang guard, not a speed claim: a shutdown that waited on the hanging request would
    # wait forever, so a generous bound tells that apart from a slow machine.
    await asyncio.wait_for(cluster.close(), timeout=30)
    with pytest.raises((DemoCallFailed, aiohttp.ClientError)):
        await pending


async def test_failure_rate_answers_that_fraction_with_503(
    cluster: DemoCluster, control: DemoControl, http: aiohttp.ClientSession
) -> None:
    await control.set_knobs("social", failure_rate=0.5)
    statuses = []
    for _ in range(40):
        async with http.get(f"{cluster.urls['social']}/mentions?handles=@x") as reply:
            statuses.append(reply.status)
            if reply.status == 503:
                assert "error" in await reply.json()
    assert set(statuses) == {200, 503}
    assert 8 <= statuses.count(503) <= 32


async def test_batches_over_500_keys_are_refused(control: DemoControl) -> None:
    five_hundred = ",".join(f"C-{10001 + n}" for n in range(500))
    assert (
        len((await control.get("crm", "/contacts", ids=five_hundred))["data"]) == 301
    )  # 300 people + the CRM duplicate
    with pytest.raises(DemoCallFailed) as refused:
        await control.get("crm", "/contacts", ids=five_hundred + ",C-99999")
    assert refused.value.status == 400 and "max_batch" in refused.value.body


async def test_missing_parameter_is_a_400_naming_it(control: DemoControl) -> None:
    with pytest.raises(DemoCallFailed) as refused:
        await control.get("orders", "/orders")
    assert (
        refused.value.status == 400 and "customer_emails" in json.loads(refused.value.body)["error"]
    )
    with pytest.raises(DemoCallFailed) as ambiguous:
        await control.get("crm", "/contacts", ids="C-10001", emails="a@b.c")
    assert ambiguous.value.status == 400


async def test_bad_knobs_are_refused(control: DemoControl) -> None:
    for knobs in ({"mode": "sideways"}, {"failure_rate": 2}, {"latency_ms": -1}, {"colour": "red"}):
        with pytest.raises(DemoCallFailed) as refused:
            await control.set_knobs("crm", **knobs)
        assert refused.value.status == 400
    assert await control.set_knobs("crm") == {"latency_ms": 0.0, "failure_rate": 0.0, "mode": "ok"}
