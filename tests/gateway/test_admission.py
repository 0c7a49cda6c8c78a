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
from ipaddress import ip_network

import aiohttp
import pytest
from pydantic import ValidationError

from gateway.admission import client_key, forwarded_client
from gateway.settings import Settings
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


PROXIES = [ip_network("10.0.0.0/8"), ip_network("127.0.0.1/32")]


def scope_from(peer: str, *headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "http", "client": (peer, 50_000), "headers": list(headers)}


def test_behind_a_trusted_proxy_a_client_is_keyed_by_the_address_it_forwards() -> None:
    alice = scope_from("10.1.2.3", (b"x-forwarded-for", b"203.0.113.7"))
    bob = scope_from("10.1.2.4", (b"x-forwarded-for", b"198.51.100.9, 10.9.9.9"))
    assert client_key(alice, PROXIES) == b"a203.0.113.7"
    assert client_key(bob, PROXIES) == b"a198.51.100.9"  # past a second proxy of ours


def test_what_a_client_writes_in_x_forwarded_for_itself_is_not_believed() -> None:
    # The left entry is the client's own claim; the proxy appended the address it saw.
    spoofed = scope_from("10.1.2.3", (b"x-forwarded-for", b"1.1.1.1, 203.0.113.7"))
    assert client_key(spoofed, PROXIES) == b"a203.0.113.7"
    # From a peer that is no proxy of ours the header counts for nothing.
    direct = scope_from("203.0.113.50", (b"x-forwarded-for", b"1.1.1.1"))
    assert client_key(direct, PROXIES) == b"a203.0.113.50"
    # Off by default: the peer, whatever the header says.
    assert client_key(scope_from("10.1.2.3", (b"x-forwarded-for", b"1.1.1.1"))) == b"a10.1.2.3"


def test_a_forwarded_entry_that_is_no_address_keys_by_the_proxy() -> None:
    garbage = scope_from("10.1.2.3", (b"x-forwarded-for", b"unknown, <script>"))
    assert client_key(garbage, PROXIES) == b"a10.1.2.3"
    assert forwarded_client("", PROXIES) is None


def test_a_credential_still_comes_first_behind_a_proxy() -> None:
    scope = scope_from(
        "10.1.2.3", (b"x-forwarded-for", b"203.0.113.7"), (b"authorization", b"Bearer t")
    )
    assert client_key(scope, PROXIES).startswith(b"c")


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    assert Settings(trusted_proxies=["10.0.0.0/8", "127.0.0.1"]).trusted_proxies == PROXIES
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings(trusted_proxies=["10.0.0.1/8"])
