"""Business endpoints as a gateway sees them: lookups, weather shapes, OpenAPI, the CLI."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from datetime import date
from pathlib import Path

import aiohttp

from sources.demo import SYSTEMS
from sources.demo.cluster import DemoCluster, start_demo_sources
from sources.demo.control import DemoCallFailed, DemoControl

BUSINESS_PATHS = {
    "crm": {"/contacts", "/contacts/search", "/accounts"},
    "contacts": {"/people", "/people/search"},
    "orders": {"/customers", "/orders", "/customers/{id}/orders", "/stats/rfm", "/stats/revenue"},
    "billing": {"/accounts", "/invoices", "/accounts/{account_no}/invoices"},
    "support": {"/tickets", "/requesters/{email}/tickets"},
    "web": {"/visits", "/users/{email}/visits"},
    "social": {"/mentions", "/authors/{handle}/mentions"},
    "weather": {"/v1/forecast"},
    "marketing": {
        "/campaigns",
        "/campaign-costs",
        "/leads",
        "/leads/{id}/touches",
        "/touches",
        "/stats/leads",
    },
    "opportunities": {"/opportunities", "/stats/pipeline", "/stats/won"},
    "surveys": {"/responses", "/stats/nps"},
}
PROJECT_ROOT = Path(__file__).resolve().parents[3]


async def test_same_seed_serves_the_same_bytes(http: aiohttp.ClientSession) -> None:
    day = date(2026, 11, 27)
    bodies = []
    for _ in range(2):
        cluster = await start_demo_sources(
            ports=dict.fromkeys(SYSTEMS, 0), customers=100, today=day
        )
        try:
            async with http.get(
                f"{cluster.urls['orders']}/orders",
                params={
                    "customer_emails": ",".join(c["email"] for c in cluster.world.contacts[:50])
                },
            ) as reply:
                bodies.append(await reply.read())
        finally:
            await cluster.close()
    assert bodies[0] == bodies[1] and len(bodies[0]) > 1000


async def test_emails_match_case_insensitively(cluster: DemoCluster, control: DemoControl) -> None:
    contact = cluster.world.contacts[0]
    found = await control.get("crm", "/contacts", emails=contact["email"].upper() + ",nobody@x.y")
    assert [c["id"] for c in found["data"]] == [contact["id"]]


async def test_weather_answers_an_object_for_one_place_and_a_list_for_several(
    control: DemoControl,
) -> None:
    one = await control.get("weather", "/v1/forecast", latitude="40.71", longitude="-74.01")
    assert one["timezone"] == "GMT" and one["current"]["interval"] == 900
    assert set(one["current"]) == {
        "time",
        "interval",
        "temperature_2m",
        "weather_code",
        "wind_speed_10m",
        "relative_humidity_2m",
    }
    assert one["current_units"]["temperature_2m"] == "°C"
    several = await control.get(
        "weather",
        "/v1/forecast",
        latitude="40.71,34.05",
        longitude="-74.01,-118.24",
        current="temperature_2m",
    )
    assert [place["latitude"] for place in several] == [40.71, 34.05]
    assert set(several[0]["current"]) == {"time", "interval", "temperature_2m"}
    if several[0]["current"]["time"] == one["current"]["time"]:
        assert several[0]["current"]["temperature_2m"] == one["current"]["temperature_2m"]


async def test_weather_refuses_mismatched_coordinates(control: DemoControl) -> None:
    try:
        await control.get("weather", "/v1/forecast", latitude="40.71,34.05", longitude="-74.01")
    except DemoCallFailed as refused:
        assert refused.status == 400
    else:
        raise AssertionError("mismatched coordinates were accepted")


async def test_each_openapi_document_lists_every_business_path(control: DemoControl) -> None:
    for system, paths in BUSINESS_PATHS.items():
        document = await control.get(system, "/openapi.json")
        assert document["openapi"] == "3.0.3"
        assert set(document["paths"]) == paths, system
        schemas = document["components"]["schemas"]
        for path in document["paths"].values():
            operation = path["get"]
            assert operation["operationId"]
            target = operation["responses"]["200"]["content"]["application/json"]["schema"]
            schema = schemas[target["$ref"].rsplit("/", 1)[1]]
            assert "properties" in schema or "oneOf" in schema, system


async def test_cli_announces_ready_urls_and_stops_on_sigterm() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sources.demo",
        "--ephemeral",
        "--customers",
        "40",
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        ready = json.loads(await asyncio.wait_for(process.stdout.readline(), timeout=15))
        assert ready["ready"] is True and set(ready["urls"]) == set(SYSTEMS)
        async with aiohttp.ClientSession() as session:
            async with session.get(ready["urls"]["crm"] + "/healthz") as reply:
                assert await reply.json() == {"ok": True}
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
