"""Issue 16's attacks against the demo: what each costs the gateway and everyone else.

``flock /tmp/c360-bench.lock python -m bench.attacks [--repeat 3] [--only sick]``
(the table is also written to ``bench/results/attacks-latest.md``)

Starts the demo sources, a sick-source proxy in front of the orders system
(``bench.sick_source``, a process of its own whose mode this one switches over
HTTP), the gateway (its own process, pinned to the server core) and a probe
(``bench.attack_probe``, a process of its own), then runs each attack
``--repeat`` times while the probe sends ``{ __typename }`` every 10 ms and a
bystander asks an unrelated query (a customer's CRM, billing and support data,
nothing of orders) every 50 ms. The attackers and the bystander run here; the
probe does not share their event loop (reading 8 answers of 7 MB stalls it) nor
the sick source's (serving 50 MB did): its latencies are the gateway's.
Hostile clients send their requests one by one; a sick source's attack is
``SICK_CONCURRENCY`` agent queries at once per round (load), while the proxy
answers ``/orders`` with 50 MB of valid JSON (over 125,000 records), 7.5 MB
(just under ``max_response_bytes``: completed in full), an HTML page, or
records that do not map. Per attack it prints the answers' statuses, error
codes and slowest time, the gateway's RSS before, at its peak and 2 s after,
the probe's p99, what ``/metrics`` weighs afterwards, and how many bystander
answers blamed a healthy source (any source but the sick one). Targets
(issue 16): a 4xx or a bounded answer within the deadline, probe p99 under
50 ms, RSS back within 10 % of its start, no healthy source blamed. Traffic goes
to 127.0.0.1 only; every request has a 60 s timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench import sick_source
from bench.attack_probe import ProbeProcess
from bench.processes import (
    DRIVER_CORE,
    ROOT,
    peak_rss_mb,
    pin_self,
    process_tree,
    rss_mb,
    start_sources,
    start_uvicorn,
)

TIMEOUT = aiohttp.ClientTimeout(total=60)
RESULTS = ROOT / "bench" / "results" / "attacks-latest.md"
BYSTANDER_EVERY_S = 0.05
SICK_CONCURRENCY = 8
SICK_SOURCE = "orders"
RECOVERY_TRIES = 60
"""Half-second tries for the sick source's breaker to close between attacks (cool-down 10 s)."""
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
    sick: str | None = None
    """How the orders system answers during the attack (``sick_source.MODES``); None: well."""


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


AGENT = (
    "query Agent($id: ID!) { customer(id: $id) { id name email "
    "orders { id placedAt total status lines { sku quantity unitPrice } } } }"
)
BYSTANDER = (
    "query Bystander($id: ID!) { customer(id: $id) { id name email "
    "invoices { id amount status } tickets { id subject status } } }"
)


def agents(mode: str) -> Callable[[int], list[Body]]:
    """Agent views of one customer, sent together: the sick answer is fetched by each.

    A customer of its own per attack and round, never asked before: a stale
    answer kept from an earlier success would stand in for the sick one
    (stale-if-error), and would be completed instead.
    """
    first = 100 + 50 * sick_source.MODES.index(mode)

    def bodies(round_: int) -> list[Body]:
        body = {"query": AGENT, "variables": {"id": IDS[first + round_ % 50]}}
        return [body] * SICK_CONCURRENCY

    return bodies


SICK = {
    "huge": "50 MB answer",
    "large": "7.5 MB answer",
    "garbage": "HTML instead of JSON",
    "unmappable": "records that fail mapping",
}

ATTACKS = [
    Attack("alias x list amplification (50 x 1,000 ids, wide)", amplification),
    Attack("100,000-id variable", hundred_thousand_ids),
    Attack("10 operation names of 900 KB", huge_operation_names),
    Attack("20 unparsable APQ texts of 900 KB", unparsable_apq_texts),
    *(
        Attack(f"sick orders: {what} ({SICK_CONCURRENCY} agents at once)", agents(mode), mode)
        for mode, what in SICK.items()
    ),
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
    probes_failed: int
    """Probes answered other than 200, or not at all (their time is not in the p99)."""
    metrics_bytes: int
    codes: dict[str, int]
    """Error codes in the attack's answers (``extensions.code``: source, if it names one)."""
    bystanders: int
    blamed: dict[str, int]
    """Bystander errors other than the sick source's, by ``code: source`` (or ``code``)."""
    full_collections: int
    """Gen-2 garbage collections in the gateway during the attack (``bench.gc_pauses``)."""
    longest_full_ms: float
    """The longest of them, in ms: every request waited that long."""


async def post(session: aiohttp.ClientSession, url: str, body: Body) -> tuple[int, float]:
    status, seconds, _ = await post_reading(session, url, body)
    return status, seconds


async def post_reading(
    session: aiohttp.ClientSession, url: str, body: Body
) -> tuple[int, float, list[str]]:
    """Status, seconds, and each error as ``code`` or ``code: source``."""
    started = time.perf_counter()
    async with session.post(url + "/graphql", json=body) as resp:
        raw = await resp.read()
        seconds = time.perf_counter() - started
    try:
        errors = json.loads(raw).get("errors") or []
    except (ValueError, AttributeError):
        return resp.status, seconds, ["(not JSON)"]
    return resp.status, seconds, [error_label(error) for error in errors]


def error_label(error: Any) -> str:
    extensions = (error.get("extensions") if isinstance(error, dict) else None) or {}
    code = str(extensions.get("code", "(no code)"))
    source = extensions.get("source")
    return f"{code}: {source}" if source else code


async def bystander(
    session: aiohttp.ClientSession, url: str, stop: asyncio.Event
) -> tuple[int, Counter[str]]:
    """An unrelated query every ``BYSTANDER_EVERY_S``; its errors, but the sick source's.

    It asks nothing of the orders system: any error it gets blames a healthy
    source (``code: source``) or the gateway (a code alone) for others' work.
    """
    asked, blamed, n = 0, Counter[str](), 0
    while not stop.is_set():
        n += 1
        body = {"query": BYSTANDER, "variables": {"id": IDS[1 + n % 50]}}
        _, _, errors = await post_reading(session, url, body)
        asked += 1
        blamed.update(e for e in errors if not e.endswith(f": {SICK_SOURCE}"))
        await asyncio.sleep(BYSTANDER_EVERY_S)
    return asked, blamed


RECOVERY_IDS = iter(IDS[400:])
"""Customers asked only to see whether the sick source is back: each one once, never cached."""


async def source_well_again(session: aiohttp.ClientSession, url: str) -> tuple[float, bool]:
    """Seconds until the sick source's fields are answered live again (breaker closed), and
    whether they were within ``RECOVERY_TRIES``.

    Each try asks for a customer never asked before and reads the answer's
    freshness too: a customer asked before is answered from the stale cache,
    without an error, while the breaker is still open.
    """
    started = time.perf_counter()
    for _ in range(RECOVERY_TRIES):
        body = {"query": AGENT, "variables": {"id": next(RECOVERY_IDS)}}
        async with session.post(url + "/graphql", json=body) as resp:
            answer = json.loads(await resp.read())
        stale = (answer.get("extensions") or {}).get("freshness") or []
        failing = [error_label(e) for e in answer.get("errors") or []] + [
            f"stale: {note.get('source')}" for note in stale
        ]
        if not any(label.endswith(f": {SICK_SOURCE}") for label in failing):
            return time.perf_counter() - started, True
        await asyncio.sleep(0.5)
    return time.perf_counter() - started, False


def reset_peak(pid: int) -> None:
    """Zero VmHWM so the peak is this attack's, not the process's lifetime peak."""
    for member in process_tree(pid):
        try:
            Path(f"/proc/{member}/clear_refs").write_text("5")
        except OSError:
            pass


async def run_attack(
    session: aiohttp.ClientSession,
    url: str,
    pid: int,
    attack: Attack,
    repeat: int,
    sick_url: str,
    probe: ProbeProcess,
) -> Row:
    if attack.sick is not None:
        waited, well = await source_well_again(session, url)  # the last attack's breaker closed
        said = "answered without error again" if well else "still failed, the attack runs anyway,"
        print(f"{SICK_SOURCE} {said} after {waited:.1f} s", flush=True)
        # The proxy builds each sick answer once: not while probing.
        await sick_source.switch(session, sick_url, attack.sick)
        for round_ in range(repeat):
            await post(session, url, attack.bodies(round_)[0])
        await sick_source.switch(session, sick_url, None)
    before = rss_mb(pid)
    reset_peak(pid)
    heap = (await collections(session, url))["heap"]  # the tally starts with the attack
    print(f"gateway heap before the attack: {heap}", flush=True)
    stop = asyncio.Event()
    await probe.begin()
    standing_by = asyncio.create_task(bystander(session, url, stop))
    if attack.sick is not None:
        await sick_source.switch(session, sick_url, attack.sick)
    started = time.perf_counter()
    answers: list[tuple[int, float, list[str]]] = []
    try:
        for round_ in range(repeat):
            bodies = attack.bodies(round_)
            if attack.sick is None:
                for body in bodies:
                    answers.append(await post_reading(session, url, body))
            else:
                answers += await asyncio.gather(*(post_reading(session, url, b) for b in bodies))
    finally:
        if attack.sick is not None:
            await sick_source.switch(session, sick_url, None)
    await asyncio.sleep(max(0.0, MIN_PROBING_S - (time.perf_counter() - started)))
    stop.set()
    latencies, probes_failed = await probe.end()
    asked, blamed = await standing_by
    peak = peak_rss_mb(pid)
    tallies = await collections(session, url)
    full = tallies["gen2"]
    print(f"collections: gen0 {tallies['gen0']}, gen1 {tallies['gen1']}, gen2 {full}", flush=True)
    await asyncio.sleep(SETTLE_S)
    async with session.get(url + "/metrics") as resp:
        metrics = await resp.read()
    p99 = (  # no answered probe at all: nan, not a figure
        statistics.quantiles(latencies, n=100)[98]
        if len(latencies) >= 2
        else max(latencies, default=float("nan"))
    )
    return Row(
        attack.name,
        dict(Counter(status for status, _, _ in answers)),
        round(max(seconds for _, seconds, _ in answers), 3),
        round(before, 1),
        round(peak, 1),
        round(rss_mb(pid), 1),
        round(p99, 1),
        len(latencies),
        probes_failed,
        len(metrics),
        dict(Counter(label for _, _, labels in answers for label in set(labels))),
        asked,
        dict(blamed),
        int(full["count"]),
        full["longest_ms"],
    )


async def collections(session: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    """The gateway's garbage collections since the last call, by generation.

    With ``C360_BENCH_STALLS=1`` in the environment, also its sampled loop stalls (printed).
    """
    async with session.get(url + "/bench/gc") as resp:
        tallies: dict[str, Any] = await resp.json()
    for where, samples in tallies.get("stalls") or []:
        print(f"  stalled {samples * 2} ms in {where}", flush=True)
    return tallies


async def run(repeat: int, attacks: list[Attack]) -> tuple[list[Row], float]:
    """Each attack's row, and the gateway's RSS once warmed up, before the first attack."""
    log_dir = Path(tempfile.mkdtemp(prefix="c360-attacks-"))
    sources, urls = start_sources(0.0, 1000, log_dir)
    gateway = None
    sick = None
    probe: ProbeProcess | None = None
    try:
        sick, sick_url = sick_source.start_process(urls[SICK_SOURCE], log_dir)
        urls = {**urls, SICK_SOURCE: sick_url}
        env = {
            "C360_SOURCE_URLS": json.dumps(urls),
            "C360_LOG_LEVEL": "warning",
            "C360_BENCH_STALLS": os.environ.get("C360_BENCH_STALLS", "0"),
            "C360_BENCH_UNSLICED": os.environ.get("C360_BENCH_UNSLICED", "0"),
            "C360_BENCH_GC_THRESHOLDS": os.environ.get("C360_BENCH_GC_THRESHOLDS", ""),
        }
        gateway = start_uvicorn("c360", "bench.gc_pauses:create_app", env, log_dir)
        probe = await ProbeProcess.start(gateway.url)
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
            for _ in range(20):  # warm-up: connections, caches, code paths
                await post(session, gateway.url, {"query": "{ __typename }"})
            await post(session, gateway.url, {"query": AGENT, "variables": {"id": IDS[0]}})
            started_mb = rss_mb(gateway.pid)
            rows = []
            for attack in attacks:
                row = await run_attack(
                    session, gateway.url, gateway.pid, attack, repeat, sick_url, probe
                )
                rows.append(row)
                print(row, flush=True)
            for mode, most in (await sick_source.records_built(session, sick_url)).items():
                print(f"sick {mode} answer: {most} records", flush=True)
            return rows, started_mb
    finally:
        if probe is not None:
            await probe.close()
        if gateway is not None:
            gateway.stop()
        if sick is not None:
            sick.stop()
        sources.stop()


def markdown(rows: list[Row]) -> str:
    lines = [
        "| attack | answers | error codes | slowest s | RSS before / peak / after MB "
        "| probe p99 ms (n) | gen-2 GCs (longest ms) | /metrics bytes "
        "| bystander errors, not the sick source's (n) |",
        "|---|---|---|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        answers = ", ".join(f"{count}x{status}" for status, count in sorted(r.statuses.items()))
        codes = ", ".join(f"{n}x {code}" for code, n in sorted(r.codes.items())) or "-"
        blamed = ", ".join(f"{n}x {code}" for code, n in sorted(r.blamed.items())) or "none"
        probes = f"{r.probes}, {r.probes_failed} failed" if r.probes_failed else str(r.probes)
        lines.append(
            f"| {r.attack} | {answers} | {codes} | {r.slowest_s} | {r.rss_before_mb} / "
            f"{r.rss_peak_mb} / {r.rss_after_mb} | {r.probe_p99_ms} ({probes}) "
            f"| {r.full_collections} ({r.longest_full_ms}) "
            f"| {r.metrics_bytes} | {blamed} ({r.bystanders}) |"
        )
    return "\n".join(lines)


def report(rows: list[Row], started_mb: float, command: str, load: tuple[float, float]) -> str:
    """The results file: when, how, how loaded the machine was, and the table."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    last = rows[-1].rss_after_mb if rows else started_mb
    return (
        f"# Attack scenario (issue 16), {when}\n\n"
        f"`{command}` on {os.cpu_count()} cores; load average (1 min) "
        f"{load[0]:.1f} before, {load[1]:.1f} after: other work shared the machine, "
        "and a probe's latency includes the time the gateway waited for a core.\n\n"
        f"{markdown(rows)}\n\n"
        f"Gateway RSS once warmed up, before the first attack: {started_mb:.1f} MB; "
        f"after the last: {last:.1f} MB ({(last / started_mb - 1) * 100:+.0f} %).\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="Rounds of each attack.")
    parser.add_argument(
        "--only", choices=["hostile", "sick"], help="Only hostile clients, or only sick sources."
    )
    parser.add_argument(
        "--attack", help="Only the attacks whose name holds this text (e.g. '7.5 MB')."
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS,
        help=f"Where the table is written (default {RESULTS.relative_to(ROOT)}).",
    )
    args = parser.parse_args()
    attacks = [
        a
        for a in ATTACKS
        if (args.only is None or (a.sick is None) == (args.only == "hostile"))
        and (args.attack is None or args.attack in a.name)
    ]
    pin_self(DRIVER_CORE)
    load_before = os.getloadavg()[0]
    rows, started_mb = asyncio.run(run(max(1, args.repeat), attacks))
    command = "python -m bench.attacks " + " ".join(sys.argv[1:])
    written = report(rows, started_mb, command.strip(), (load_before, os.getloadavg()[0]))
    print(written)
    args.output.write_text(written)
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
