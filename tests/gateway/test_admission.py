"""One client cannot take every slot: requests in flight are bounded per client and in all.

Against the real gateway with a slow demo CRM, so requests overlap: beyond the
per-client limit a client gets 429, beyond the global limit everyone gets 503,
both with ``Retry-After`` and a GraphQL error; another credential still gets
through, and health checks are never refused.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import aiohttp

from tests.demo_harness import DemoSources
from tests.gateway.wire import TIMEOUT, Reply, request

SLOW_MS = 800


def lookup(n: int) -> dict[str, str]:
    return {"query": f'{{ customer(id: "C-{10001 + n}") {{ id }} }}'}


async def burst(url: str, count: int, token: str = "alice") -> list[Reply]:
    headers = {"authorization": f"Bearer {token}"}
    return list(
        await asyncio.gather(*(request(url, json=lookup(n), headers=headers) for n in range(count)))
    )


async def healthz(url: str) -> int:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.get(url + "/healthz") as resp:
            return resp.status


async def test_one_client_beyond_its_limit_gets_429_and_others_still_get_through(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(max_in_flight_per_client=2)
    await demo.knobs("crm", latency_ms=SLOW_MS)
    alice, bob, health = await asyncio.gather(burst(url, 5), burst(url, 2, "bob"), healthz(url))
    statuses = Counter(reply.status for reply in alice)
    assert statuses == {200: 2, 429: 3}
    refused = next(reply for reply in alice if reply.status == 429)
    assert refused.codes == ["TOO_MANY_REQUESTS"]
    assert refused.headers["retry-after"] == "1"
    assert "2 requests in flight" in refused.message
    assert [reply.status for reply in bob] == [200, 200]
    assert health == 200
    await demo.knobs("crm", latency_ms=0)
    assert (await request(url, json=lookup(0))).status == 200  # the slots were given back


async def test_beyond_the_global_limit_everyone_gets_503(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(max_in_flight=3)
    await demo.knobs("crm", latency_ms=SLOW_MS)
    groups = await asyncio.gather(burst(url, 2), burst(url, 3, "bob"))
    replies = [reply for group in groups for reply in group]
    assert Counter(reply.status for reply in replies) == {200: 3, 503: 2}
    busy = next(reply for reply in replies if reply.status == 503)
    assert busy.codes == ["SERVER_BUSY"] and busy.headers["retry-after"] == "1"
