"""Concurrent agent views share source calls (``sources.gathering``) and each answers its own.

Over real HTTP and the demo sources: views fired at once must answer exactly what
each answers alone, while the sources see fewer calls than views.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any
from urllib.parse import quote

import aiohttp

from tests.demo_harness import DemoSources
from tests.integration.world import world

VIEWS = 24


def phones() -> list[str]:
    """Distinct callers with orders and a phone, from the demo world (same seed as the demo)."""
    with_orders = {o["customer_email"].casefold() for o in world().orders}
    contacts = [c for c in world().contacts if c.get("phone")]
    shared = Counter(c["phone"] for c in contacts)
    found = [
        c["phone"]
        for c in contacts
        if shared[c["phone"]] == 1 and (c.get("email") or "").casefold() in with_orders
    ]
    return sorted(found)[:VIEWS]


async def agent_view(session: aiohttp.ClientSession, url: str, phone: str) -> dict[str, Any]:
    async with session.get(f"{url}/views/agent?phone={quote(phone)}") as resp:
        assert resp.status == 200, await resp.text()
        body: dict[str, Any] = await resp.json(content_type=None)
        return body


def comparable(view: dict[str, Any]) -> dict[str, Any]:
    """The view without what may change between two reads a moment apart (times of reading)."""
    data = view["data"]["agentView"]
    assert data is not None and "errors" not in view, view
    return {key: value for key, value in data.items() if key not in ("weather",)}


async def test_concurrent_views_answer_what_each_answers_alone(
    gateway_url: str, demo: DemoSources
) -> None:
    callers = phones()
    assert len(callers) == VIEWS
    async with aiohttp.ClientSession() as session:
        await demo.reset()
        together = await asyncio.gather(*(agent_view(session, gateway_url, p) for p in callers))
        orders_calls = (await demo.stats())["orders"]
        alone = [await agent_view(session, gateway_url, p) for p in callers]
    for phone, at_once, by_itself in zip(callers, together, alone, strict=True):
        assert comparable(at_once) == comparable(by_itself), phone
    assert len({v["data"]["agentView"]["customer"]["id"] for v in together}) == VIEWS
    # Fired at once, the views' orders lookups were gathered: fewer calls than views.
    assert 1 <= orders_calls < VIEWS
