"""A client sends only the id of a query: a saved query's name, its hash, or an APQ hash."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

import aiohttp

from gateway.settings import PROJECT_ROOT
from tests.demo_harness import DemoSources, graphql
from tests.integration.world import planted

AGENT_TEXT = (PROJECT_ROOT / "queries" / "agent.graphql").read_text(encoding="utf-8")
AGENT_HASH = hashlib.sha256(AGENT_TEXT.encode()).hexdigest()
PHONE = {"phone": "(555) 010-2345"}


async def post(url: str, payload: dict) -> tuple[int, dict]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        async with session.post(url + "/graphql", json=payload) as resp:
            return resp.status, await resp.json(content_type=None)


async def test_saved_query_by_name_equals_sending_its_text(
    gateway_url: str, demo: DemoSources
) -> None:
    status, by_name = await post(gateway_url, {"documentId": "agent", "variables": PHONE})
    _, by_text = await graphql(gateway_url, AGENT_TEXT, PHONE)
    assert status == 200 and "errors" not in by_name
    assert by_name == by_text
    expected = planted("phone_formats").crm_ids[0]
    assert by_name["data"]["agentView"]["customer"]["id"] == expected


async def test_saved_query_by_sha256_document_id_and_apq_hash(
    gateway_url: str, demo: DemoSources
) -> None:
    _, by_document = await post(
        gateway_url, {"documentId": f"sha256:{AGENT_HASH}", "variables": PHONE}
    )
    apq = {"persistedQuery": {"version": 1, "sha256Hash": AGENT_HASH}}
    _, by_apq = await post(gateway_url, {"extensions": apq, "variables": PHONE})
    assert by_document == by_apq
    assert by_apq["data"]["agentView"]["customer"]["name"]


async def test_apq_over_get_for_cacheable_urls(gateway_url: str, demo: DemoSources) -> None:
    params = urlencode(
        {
            "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": AGENT_HASH}}),
            "variables": json.dumps(PHONE),
        }
    )
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        async with session.get(f"{gateway_url}/graphql?{params}") as resp:
            body = await resp.json(content_type=None)
    assert resp.status == 200
    assert body["data"]["agentView"]["customer"]["id"] == planted("phone_formats").crm_ids[0]


async def test_unknown_hash_asks_for_the_text_then_remembers_it(
    gateway_url: str, demo: DemoSources
) -> None:
    text = '{ customer(id: "C-10001") { id } }'
    digest = hashlib.sha256(text.encode()).hexdigest()
    apq = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    status, missing = await post(gateway_url, {"extensions": apq})
    assert status == 200
    assert missing["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert (await demo.stats())["crm"] == 0
    _, registered = await post(gateway_url, {"query": text, "extensions": apq})
    _, again = await post(gateway_url, {"extensions": apq})
    assert registered == again == {"data": {"customer": {"id": "C-10001"}}}


async def test_hash_that_does_not_match_its_text_is_refused(gateway_url: str) -> None:
    apq = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    status, body = await post(gateway_url, {"query": "{ __typename }", "extensions": apq})
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_unknown_document_name_lists_the_saved_ones(gateway_url: str) -> None:
    status, body = await post(gateway_url, {"documentId": "payroll"})
    assert status == 200
    error = body["errors"][0]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "payroll" in error["message"] and "agent" in error["message"]
