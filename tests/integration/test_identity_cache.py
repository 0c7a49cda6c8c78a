"""Identity lookups remembered across requests (``identity.cache_ttl_s``), over real HTTP.

The demo systems count the requests they serve: a caller who rings again within
the TTL costs no customer-system request, after it the systems are asked again,
and an answer that a failing system spoiled, or that found nobody, is never kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import phonenumbers

from sources.demo.request_log import systems_by_round
from tests.demo_harness import DemoSources, graphql
from tests.integration.world import contact, world

CUSTOMER_SYSTEMS = ("crm", "contacts")
BY_PHONE = """query($p: String) { customer(phone: $p) { id name email matchConfidence } }"""
BY_ID = """query($id: ID) { customer(id: $id) { id name } }"""


def caller() -> tuple[str, str]:
    """A CRM customer with a phone, and that phone."""
    [(crm_id, _)] = world().contact_truth.case("moved_house").same_person
    phone = contact(crm_id)["phone"]
    assert phone, "the planted case has a phone"
    return crm_id, phone


async def asked(demo: DemoSources) -> dict[str, int]:
    stats = await demo.stats()
    return {system: stats[system] for system in CUSTOMER_SYSTEMS}


async def answer(url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    status, body = await graphql(url, query, variables)
    assert status == 200 and "errors" not in body, body
    found: dict[str, Any] = body["data"]["customer"]
    return found


async def test_a_caller_who_rings_again_costs_no_customer_system_request(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(identity_cache_ttl_s=60)
    crm_id, phone = caller()
    first = await answer(url, BY_PHONE, {"p": phone})
    assert first["id"] == crm_id
    assert all(n >= 1 for n in (await asked(demo)).values())
    await demo.reset()
    # The same number written another way is the same lookup.
    parsed = phonenumbers.parse(phone, "US")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    assert e164 != phone
    for spelling in (phone, e164):
        assert await answer(url, BY_PHONE, {"p": spelling}) == first
    assert await asked(demo) == {"crm": 0, "contacts": 0}


async def test_after_the_ttl_the_customer_systems_are_asked_again(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(identity_cache_ttl_s=0.3)
    crm_id, phone = caller()
    await answer(url, BY_PHONE, {"p": phone})
    await asyncio.sleep(0.6)
    await demo.reset()
    assert (await answer(url, BY_PHONE, {"p": phone}))["id"] == crm_id
    assert all(n >= 1 for n in (await asked(demo)).values())


async def test_off_every_lookup_asks_the_customer_systems(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(identity_cache_ttl_s=0)
    _, phone = caller()
    await answer(url, BY_PHONE, {"p": phone})
    await demo.reset()
    await answer(url, BY_PHONE, {"p": phone})
    assert all(n >= 1 for n in (await asked(demo)).values())


async def test_an_answer_a_failing_system_spoiled_is_not_remembered(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(identity_cache_ttl_s=60)
    crm_id, phone = caller()
    await demo.knobs("contacts", mode="error")
    # The CRM found the caller: answered, but without the contact book's part.
    assert (await answer(url, BY_PHONE, {"p": phone}))["id"] == crm_id
    await demo.knobs("contacts", mode="ok")
    await demo.reset()
    assert (await answer(url, BY_PHONE, {"p": phone}))["id"] == crm_id
    assert (await asked(demo))["contacts"] >= 1
    await demo.reset()
    await answer(url, BY_PHONE, {"p": phone})  # now whole: remembered
    assert await asked(demo) == {"crm": 0, "contacts": 0}


async def test_a_failed_lookup_and_a_miss_are_asked_again(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(identity_cache_ttl_s=60)
    crm_id, _ = caller()
    await demo.knobs("crm", mode="error")
    _, body = await graphql(url, BY_ID, {"id": f"crm:{crm_id}"})
    assert body["data"]["customer"] is None and body["errors"], body
    await demo.knobs("crm", mode="ok")
    await demo.reset()
    assert (await answer(url, BY_ID, {"id": f"crm:{crm_id}"}))["id"] == crm_id
    assert (await asked(demo))["crm"] >= 1
    for _ in range(2):
        await demo.reset()
        assert await answer(url, BY_ID, {"id": "crm:C-NOBODY-404"}) is None
        assert (await asked(demo))["crm"] >= 1


LATE_MS = 300
"""Every system's latency in the round-trip tests: far longer than the gateway takes to
send one tick's requests, so requests sent together always arrive before any answer."""


async def agent_view_rounds(url: str, demo: DemoSources, phone: str) -> list[set[str]]:
    """The systems each source round trip of one agent view asked, first round first."""
    await demo.reset()
    async with aiohttp.ClientSession() as session:
        async with session.get(url + "/views/agent", params={"phone": phone}) as resp:
            body = await resp.json()
    assert resp.status == 200 and "errors" not in body, body
    assert body["data"]["agentView"]["customer"]["name"], body
    return systems_by_round(await demo.log())


async def test_a_repeat_callers_agent_view_asks_every_system_in_one_round(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(identity_cache_ttl_s=60)
    _, phone = caller()
    await demo.all_knobs(latency_ms=LATE_MS)
    new_caller = await agent_view_rounds(url, demo, phone)
    # Found by phone in both customer systems at once, then everything else at once.
    assert len(new_caller) == 2, new_caller
    assert new_caller[0] == set(CUSTOMER_SYSTEMS)
    assert {"orders", "billing", "support", "web"} <= new_caller[1]
    assert not new_caller[1] & set(CUSTOMER_SYSTEMS)
    # Remembered: the customer systems are not asked, the rest in one round trip.
    assert await agent_view_rounds(url, demo, phone) == [new_caller[1]]


async def test_a_new_callers_agent_view_costs_two_round_trips(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(identity_cache_ttl_s=0)
    _, phone = caller()
    await demo.all_knobs(latency_ms=LATE_MS)
    first = await agent_view_rounds(url, demo, phone)
    assert len(first) == 2 and first[0] == set(CUSTOMER_SYSTEMS), first
    assert await agent_view_rounds(url, demo, phone) == first
