"""Issue 16's attacks against the demo: what each costs the gateway and everyone else.

``flock /tmp/c360-bench.lock python -m bench.attacks [--repeat 3]``

Starts the demo sources and the gateway (its own process, pinned to the server
core), then runs each attack ``--repeat`` times while a probe sends
``{ __typename }`` every 10 ms. Per attack it prints the answers' statuses and
slowest time, the gateway's RSS before, at its peak and 2 s after, the probe's
p99, and what ``/metrics`` weighs afterwards. Targets (issue 16): a 4xx or a
bounded answer within the deadline, probe p99 under 50 ms, RSS back within 10 %
of its start. Traffic goes to 127.0.0.1 only; every request has a 60 s timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.processes import (
    DRIVER_CORE,
    peak_rss_mb,
    pin_self,
    process_tree,
    rss_mb,
    start_sources,
    start_uvicorn,
)

TIMEOUT = aiohttp.ClientTimeout(total=60)
PROBE_EVERY_S = 0.01
SETTLE_S = 2.0
MIN_PROBING_S = 2.0
"""The probe runs at least this long per attack, so its p99 has samples behind it."""
IDS = [f"C-{10001 + n}" for n in range(1000)]
WIDE = (
    "id name email phone address { street city state postalCode country } "
    "orders { id placedAt total status lines { sku quantity unitPrice } } "
    "invoices { id amount status dueOn } tickets { id subject status priority } "
    "webVisits { id startedAt } socialMentions { id text } weather { temperatureC } "
    "segment { name } health { light }"
)

Body = dict[str, Any]


@dataclass
class Attack:
    name: str
    bodies: Callable[[int], list[Body]]
    """The request bodies of one round (``round`` makes texts and names unique)."""


def amplification(round_: int) -> list[Body]:
    """A new text each round (an attacker's whitespace defeats every cache)."""
    aliases = "\n".join(f"  a{n}: customers(ids: $ids) {{ {WIDE} }}" for n in range(50))
    query = f"# round {round_}\nquery Amplified($ids: [ID!]!) {{\n{aliases}\n}}"
    return [{"query": query, "variables": {"ids": IDS}}]


def hundred_thousand_ids(_: int) -> list[Body]:
    query = "query Many($ids: [ID!]!) { customers(ids: $ids) { id } }"
    return [{"query": query, "variables": {"ids": [str(n) for n in range(100_000)]}}]


def huge_operation_names(round_: int) -> list[Body]:
    return [{"query": f"query N{round_}x{n}{'N' * 900_000} {{ __typename }}"} for n in range(10)]


def unparsable_apq_texts(round_: int) -> list[Body]:
    bodies = []
    for n in range(20):
        text = f"{{ customer(id: {round_}x{n}" + "x" * 900_000
        digest = hashlib.sha256(text.encode()).hexdigest()
        apq = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
        bodies.append({"query": text, "extensions": apq})
    return bodies


ATTACKS = [
    Attack("alias x list amplification (50 x 1,000 ids, wide)", amplification),
    Attack("100,000-id variable", hundred_thousand_ids),
    Attack("10 operation names of 900 KB", huge_operation_names),
    Attack("20 unparsable APQ texts of 900 KB", unparsable_apq_texts),
]


@dataclass
class Row:
    attack: str
    statuses: dict[int, int]
    slowest_s: float
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float
    probe_p99_ms: float
    probes: int
    metrics_bytes: int


async def post(session: aiohttp.ClientSession, url: str, body: Body) -> tuple[int, float]:
    started = time.perf_counter()
    async with session.post(url + "/graphql", json=body) as resp:
        await resp.read()
        return resp.status, time.perf_counter() - started


async def probe(session: aiohttp.ClientSession, url: str, stop: asyncio.Event) -> list[float]:
    """``{ __typename }`` every ``PROBE_EVERY_S`` until ``stop``; latencies in ms."""
    latencies: list[float] = []
    while not stop.is_set():
        _, seconds = await post(session, url, {"query": "{ __typename }"})
        latencies.append(seconds * 1000)
        await asyncio.sleep(PROBE_EVERY_S)
    return latencies


def reset_peak(pid: int) -> None:
    """Zero VmHWM so the peak is this attack's, not the process's lifetime peak."""
    for member in process_tree(pid):
        try:
            Path(f"/proc/{member}/clear_refs").write_text("5")
        except OSError:
            pass


async def run_attack(
    session: aiohttp.ClientSession, url: str, pid: int, attack: Attack, repeat: int
) -> Row:
    before = rss_mb(pid)
    reset_peak(pid)
    stop = asyncio.Event()
    probing = asyncio.create_task(probe(session, url, stop))
    started = time.perf_counter()
    answers = []
    for round_ in range(repeat):
        for body in attack.bodies(round_):
            answers.append(await post(session, url, body))
    await asyncio.sleep(max(0.0, MIN_PROBING_S - (time.perf_counter() - started)))
    stop.set()
    latencies = await probing
    peak = peak_rss_mb(pid)
    await asyncio.sleep(SETTLE_S)
    async with session.get(url + "/metrics") as resp:
        metrics = await resp.read()
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) >= 2 else latencies[0]
    return Row(
        attack.name,
        dict(Counter(status for status, _ in answers)),
        round(max(seconds for _, seconds in answers), 3),
        round(before, 1),
        round(peak, 1),
        round(rss_mb(pid), 1),
        round(p99, 1),
        len(latencies),
        len(metrics),
    )


async def run(repeat: int) -> list[Row]:
    log_dir = Path(tempfile.mkdtemp(prefix="c360-attacks-"))
    sources, urls = start_sources(0.0, 1000, log_dir)
    gateway = None
    try:
        env = {"C360_SOURCE_URLS": json.dumps(urls), "C360_LOG_LEVEL": "warning"}
        gateway = start_uvicorn("c360", "gateway.asgi:create_app", env, log_dir)
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            for _ in range(20):  # warm-up: connections, caches, code paths
                await post(session, gateway.url, {"query": "{ __typename }"})
            rows = []
            for attack in ATTACKS:
                rows.append(await run_attack(session, gateway.url, gateway.pid, attack, repeat))
                print(rows[-1], flush=True)
            return rows
    finally:
        if gateway is not None:
            gateway.stop()
        sources.stop()


def markdown(rows: list[Row]) -> str:
    lines = [
        "| attack | answers | slowest s | RSS before / peak / after MB | probe p99 ms (n) "
        "| /metrics bytes |",
        "|---|---|---:|---|---:|---:|",
    ]
    for r in rows:
        answers = ", ".join(f"{count}x{status}" for status, count in sorted(r.statuses.items()))
        lines.append(
            f"| {r.attack} | {answers} | {r.slowest_s} | {r.rss_before_mb} / {r.rss_peak_mb} / "
            f"{r.rss_after_mb} | {r.probe_p99_ms} ({r.probes}) | {r.metrics_bytes} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="Rounds of each attack.")
    args = parser.parse_args()
    pin_self(DRIVER_CORE)
    rows = asyncio.run(run(max(1, args.repeat)))
    print(markdown(rows))


if __name__ == "__main__":
    main()
