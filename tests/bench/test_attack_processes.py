"""The attack scenario's own processes: the sick orders system and the probe, over real HTTP.

The sick source (``python -m bench.sick_source``) stands in front of the demo's
orders system and is switched between modes by ``POST /_sick/mode``; the probe
(``python -m bench.attack_probe``) times ``{ __typename }`` against the gateway
between a ``start`` and a ``stop``. No time is asserted here: the bench reports
timings, these tests check that what it runs does what it says.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bench import sick_source
from bench.attack_probe import ProbeProcess
from bench.processes import free_port


@pytest.fixture(scope="module")
def sick_url(demo_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_dir: Path = tmp_path_factory.mktemp("sick-orders")
    server, url = sick_source.start_process(demo_urls["orders"], log_dir)
    try:
        yield url
    finally:
        server.stop()


async def orders_of(session: aiohttp.ClientSession, url: str, email: str) -> tuple[int, bytes]:
    async with session.get(url + "/orders", params={"customer_emails": email}) as resp:
        return resp.status, await resp.read()


async def an_email_with_orders(session: aiohttp.ClientSession, orders_url: str) -> str:
    """The email of a demo customer who has orders (the orders system's own customers)."""
    async with session.get(orders_url + "/customers", params={"scope": "all", "size": 50}) as resp:
        customers = (await resp.json())["data"]
    for customer in customers:
        _, body = await orders_of(session, orders_url, customer["email"])
        if json.loads(body)["data"]:
            return str(customer["email"])
    raise AssertionError("no demo customer with orders among the first 50")


async def test_healthy_it_answers_what_the_orders_system_answers(
    sick_url: str, demo_urls: dict[str, str]
) -> None:
    async with aiohttp.ClientSession() as session:
        await sick_source.switch(session, sick_url, None)
        email = await an_email_with_orders(session, demo_urls["orders"])
        upstream = await orders_of(session, demo_urls["orders"], email)
        through = await orders_of(session, sick_url, email)
    assert upstream[0] == 200
    assert through == upstream


async def test_its_mode_is_switched_over_http_and_each_large_answer_built_once(
    sick_url: str, demo_urls: dict[str, str]
) -> None:
    async with aiohttp.ClientSession() as session:
        email = await an_email_with_orders(session, demo_urls["orders"])
        _, healthy = await orders_of(session, demo_urls["orders"], email)
        await sick_source.switch(session, sick_url, "large")
        async with session.get(sick_url + "/_sick/mode") as resp:
            assert await resp.json() == {"mode": "large"}
        status, large = await orders_of(session, sick_url, email)
        _, again = await orders_of(session, sick_url, email)
        built = await sick_source.records_built(session, sick_url)
        await sick_source.switch(session, sick_url, "garbage")
        garbage = await orders_of(session, sick_url, email)
        await sick_source.switch(session, sick_url, None)
        back = await orders_of(session, sick_url, email)
    records = json.loads(large)["data"]
    assert status == 200
    assert sick_source.LARGE_BYTES * 0.9 < len(large) <= sick_source.LARGE_BYTES * 1.1
    assert again == large
    assert built == {"large": len(records)}
    assert len(records) > len(json.loads(healthy)["data"])
    assert garbage == (200, sick_source.GARBAGE)
    assert back == (200, healthy)


@pytest.mark.parametrize("asked", [{"mode": "slow"}, {}, ["large"]])
async def test_an_unknown_mode_is_refused_and_leaves_the_mode_as_it_was(
    sick_url: str, asked: object
) -> None:
    async with aiohttp.ClientSession() as session:
        await sick_source.switch(session, sick_url, "unmappable")
        async with session.post(sick_url + "/_sick/mode", json=asked) as resp:
            refused = resp.status
        async with session.get(sick_url + "/_sick/mode") as resp:
            mode = await resp.json()
        await sick_source.switch(session, sick_url, None)
    assert refused == 400
    assert mode == {"mode": "unmappable"}


async def test_the_probe_times_the_gateways_answers_between_start_and_stop(
    gateway_url: str,
) -> None:
    probe = await ProbeProcess.start(gateway_url)
    try:
        await probe.begin()
        await asyncio.sleep(0.3)
        latencies, failed = await probe.end()
        idle = await probe.end()  # a stop without a start: nothing since the last stop
    finally:
        await probe.close()
    assert failed == 0
    assert latencies and all(ms > 0 for ms in latencies)
    assert idle == ([], 0)


async def test_the_probe_counts_unanswered_requests_as_failed_not_as_latencies() -> None:
    probe = await ProbeProcess.start(f"http://127.0.0.1:{free_port()}")
    try:
        await probe.begin()
        await asyncio.sleep(0.3)
        latencies, failed = await probe.end()
    finally:
        await probe.close()
    assert latencies == []
    assert failed > 0


HTML_ONCE = ("--attack", "HTML", "--repeat", "1")


def test_the_attack_scenario_runs_end_to_end_and_blames_no_healthy_source(
    tmp_path: Path,
) -> None:
    """``python -m bench.attacks`` with one sick attack: its processes start, talk and stop."""
    table = tmp_path / "attacks.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench.attacks", *HTML_ONCE, "--output", str(table)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = [line for line in table.read_text().splitlines() if line.startswith("| sick")]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].split("|")[1:-1]]
    assert cells[0] == "sick orders: HTML instead of JSON (8 agents at once)"
    assert cells[1] == "8x200"
    codes: dict[str, int] = {}
    for tally in cells[2].split(", "):  # "8x SOURCE_BAD_RESPONSE: orders"
        n, code = tally.split("x ", 1)
        codes[code] = int(n)
    # The breaker may open within the round: bad answers, then fast failures, all of orders.
    assert set(codes) <= {"SOURCE_BAD_RESPONSE: orders", "SOURCE_UNAVAILABLE: orders"}
    assert sum(codes.values()) == 8
    blamed, asked = cells[8].rsplit(" (", 1)
    assert int(asked.rstrip(")")) > 0
    # A bystander may time out on a loaded machine; the sick answers must not reach it.
    assert "SOURCE_BAD_RESPONSE" not in blamed
    assert "failed" not in cells[5]  # every probe was answered 200
