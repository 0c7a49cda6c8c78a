"""A whole bench run: start everything, measure each scenario's rows, report, stop everything.

Profiles bound the run's time (smoke: seconds, quick: ≤ 2 minutes, full: ≤ 10);
every process the run starts is stopped in ``finally``, and the demo sources
also stop by themselves when this process dies (``--exit-with-parent``).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import peer, report
from bench.load import ensure_wrk, run_load, wrk_available
from bench.measure import DemoCounters, Row, floor_answers, measure
from bench.processes import (
    ALL_CORES,
    DRIVER_CORE,
    Server,
    pin_self,
    rss_mb,
    start_sources,
    start_uvicorn,
    wait_until_answering,
)
from bench.scenarios import (
    FLOOR,
    GATEWAY_FACTORIES,
    GATEWAY_SETTINGS,
    GATEWAYS,
    KINDS,
    PEERS,
    Scenario,
    agent_adhoc,
    agent_saved,
    customer_summary,
    role_view,
    role_views,
    ten_thousand_orders,
)
from bench.workload import CUSTOMERS, build_workload

RESULTS = Path(__file__).resolve().parent / "results"
GATEWAY_APP = "gateway.asgi:create_app"
FLOOR_APP = "bench.floor:create_app"


@dataclass(frozen=True)
class Profile:
    name: str
    warmup_s: float
    duration_s: float
    use_peer: bool
    python_driver: bool
    agent_concurrency: tuple[int, ...]
    adhoc_concurrency: tuple[int, ...]
    list_concurrency: dict[int, int]
    orders_concurrency: int
    workers: bool
    stem: str


PROFILES = {
    "smoke": Profile("smoke", 0.0, 0.5, False, True, (2,), (), {50: 1}, 0, False, "smoke"),
    "quick": Profile(
        "quick", 1.0, 2.0, True, False, (1, 50), (50,), {50: 10, 500: 2}, 1, True, "quick"
    ),
    "full": Profile(
        "full", 3.0, 10.0, True, False, (1, 50), (50,), {50: 10, 500: 2}, 1, True, "latest"
    ),
}


def _scenarios(profile: Profile, workload: Any) -> list[Scenario]:
    found = [agent_saved(workload, profile.agent_concurrency)]
    kinds: tuple[str, ...]
    if profile.adhoc_concurrency:
        kinds = KINDS if profile.name == "full" else (FLOOR, PEERS[1], *GATEWAYS)
        found.append(agent_adhoc(workload, profile.adhoc_concurrency, kinds))
    for size, concurrency in profile.list_concurrency.items():
        # Per-customer links on 500 customers cost thousands of source requests per query;
        # the quick profile leaves that row out to stay within its two minutes.
        kinds = KINDS if size == 50 or profile.name == "full" else (FLOOR, PEERS[1], *GATEWAYS)
        found.append(customer_summary(workload, size, (concurrency,), kinds))
    if profile.orders_concurrency:
        kinds = KINDS if profile.name == "full" else (FLOOR, PEERS[1], "c360")
        found.append(ten_thousand_orders(workload, (profile.orders_concurrency,), kinds))
    for name in role_views():
        found.append(role_view(name, (profile.agent_concurrency[-1],)))
    return found


def _gateway_env(urls: dict[str, str], **extra: str) -> dict[str, str]:
    return {"C360_SOURCE_URLS": json.dumps(urls), "C360_LOG_LEVEL": "warning", **extra}


def _start_peers(urls: dict[str, str], log_dir: Path, servers: dict[str, Server]) -> str | None:
    """Both peer variants, or why they are unavailable."""
    try:
        peer.install()
        for variant in peer.VARIANTS:
            supergraph = peer.compose(variant, urls)
            servers[f"peer-{variant}"] = peer.start(variant, supergraph, log_dir)
    except peer.PeerUnavailable as exc:
        return str(exc)
    return None


def _workers_rows(
    profile: Profile,
    urls: dict[str, str],
    log_dir: Path,
    scenario: Scenario,
    common: dict[str, Any],
) -> list[Row]:
    """Scenario f: the same gateway with 1 and 2 uvicorn workers, both allowed on every core."""
    rows = []
    for workers in (1, 2):
        label = f"c360 {workers} worker{'s' if workers > 1 else ''}"
        server = start_uvicorn(
            f"c360-w{workers}",
            GATEWAY_APP,
            _gateway_env(urls),
            log_dir,
            workers=workers,
            cores=ALL_CORES,
        )
        try:
            row = measure(scenario, "c360", server, 50, label=label, **common)
            row.scenario = "f-workers"
            rows.append(row)
        finally:
            server.stop()
    return rows


def run(
    profile: Profile,
    *,
    latency_ms: float,
    results_dir: Path,
    with_peer: bool,
) -> int:
    started = time.monotonic()
    pin_self(DRIVER_CORE)
    notes: list[str] = []
    use_wrk = False
    if not profile.python_driver:
        installed = ensure_wrk()
        if installed:
            notes.append(installed)
        use_wrk = wrk_available()
    log_dir = Path(tempfile.mkdtemp(prefix="c360-bench-"))
    servers: dict[str, Server] = {}
    sources, urls = start_sources(latency_ms, CUSTOMERS, log_dir)
    rows: list[Row] = []
    try:
        workload = build_workload()
        servers[FLOOR] = start_uvicorn(
            FLOOR, FLOOR_APP, {"BENCH_SOURCE_URLS": json.dumps(urls)}, log_dir, wait=False
        )
        # This gateway as it runs, with batching and caching off, with compiled plans off.
        for name in GATEWAYS:
            env = _gateway_env(urls, **GATEWAY_SETTINGS.get(name, {}))
            factory = GATEWAY_FACTORIES[name]
            servers[name] = start_uvicorn(name, factory, env, log_dir, wait=False)
        for server in list(servers.values()):
            wait_until_answering(server, "/healthz")
        peer_problem = "not run (--no-peer or --smoke)"
        if profile.use_peer and with_peer:
            peer_problem = _start_peers(urls, log_dir, servers) or ""
        if peer_problem:
            notes.append(f"peer unavailable: {peer_problem}")
        counters = DemoCounters(urls)
        common: dict[str, Any] = {
            "counters": counters,
            "sources": sources,
            "warmup_s": profile.warmup_s,
            "duration_s": profile.duration_s,
            "use_wrk": use_wrk,
        }
        scenarios = _scenarios(profile, workload)
        titles = {s.key: s.title for s in scenarios}
        for scenario in scenarios:
            expected = floor_answers(scenario, servers.get(FLOOR))
            for concurrency in scenario.concurrency:
                for kind in scenario.kinds:
                    under_test = servers.get(kind)
                    if under_test is None:
                        row = Row(
                            scenario.key, kind, concurrency, note=f"unavailable: {peer_problem}"
                        )
                    else:
                        row = measure(
                            scenario, kind, under_test, concurrency, expected=expected, **common
                        )
                    rows.append(row)
                    print(
                        f"  {scenario.key} c={concurrency} {row.target}: " + _brief(row), flush=True
                    )
        if profile.workers:
            titles["f-workers"] = (
                "f. two uvicorn workers against one (agent saved view; both may use every core, "
                "shared with the driver and sources)"
            )
            rows += _workers_rows(profile, urls, log_dir, scenarios[0], {**common, "expected": []})
        if not role_views():
            notes.append(
                "e. CMO/CEO saved queries skipped: queries/cmo.graphql and ceo.graphql "
                "do not exist yet"
            )
    finally:
        for server in servers.values():
            server.stop()
        sources.stop()
    targets = report.evaluate(rows, None)
    meta = _meta(profile, latency_ms, use_wrk, notes, time.monotonic() - started)
    print(report.text_tables(rows, titles))
    print("\nTargets (ratios from this run; they never fail the run):")
    print(report.text_targets(targets))
    for note in notes:
        print(f"note: {note}")
    json_path, md_path = report.write(results_dir, profile.stem, rows, titles, targets, meta)
    print(f"\nwrote {json_path} and {md_path} in {meta['elapsed_s']:.0f} s (logs in {log_dir})")
    # Only this gateway's wrong answers fail the run; the baselines' are findings.
    broken = [r for r in rows if r.note.startswith("wrong answer") and r.target == "c360"]
    return 1 if broken else 0


def _brief(row: Row) -> str:
    if row.p50_ms is None:
        return row.note
    return (
        f"p50 {row.p50_ms:.1f} ms, {row.rps or 0:.0f} req/s, "
        f"{row.source_requests_per_query or 0:.2f} src req/query {row.note}"
    )


def _meta(
    profile: Profile, latency_ms: float, use_wrk: bool, notes: list[str], elapsed: float
) -> dict[str, Any]:
    return {
        "mode": profile.name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "driver": "wrk" if use_wrk else "python (aiohttp)",
        "latency_ms": latency_ms,
        "warmup_s": profile.warmup_s,
        "duration_s": profile.duration_s,
        "customers": CUSTOMERS,
        "pinning": "gateways, floor and peer on core 1; driver and demo sources on core 0",
        "notes": notes,
        "elapsed_s": round(elapsed, 1),
    }


def soak(minutes: float, *, latency_ms: float, results_dir: Path, concurrency: int = 50) -> int:
    """Scenario g: the agent view for ``minutes``; RSS at start, minute 2 and end; errors."""
    pin_self(DRIVER_CORE)
    notes = [n for n in [ensure_wrk()] if n]
    use_wrk = wrk_available()
    log_dir = Path(tempfile.mkdtemp(prefix="c360-soak-"))
    sources, urls = start_sources(latency_ms, CUSTOMERS, log_dir)
    server: Server | None = None
    try:
        workload = build_workload()
        server = start_uvicorn("c360", GATEWAY_APP, _gateway_env(urls), log_dir)
        requests = [agent_saved(workload, (concurrency,)).build("c360", p) for p in workload.phones]
        reqs = [r for r in requests if r is not None]
        run_load(server.url, reqs, concurrency, 5, use_wrk=use_wrk)
        start_rss = rss_mb(server.pid)
        samples: list[tuple[float, float]] = []
        errors = requests_done = 0
        began = time.monotonic()
        total = minutes * 60
        while (elapsed := time.monotonic() - began) < total:
            chunk = max(1.0, min(30.0, total - elapsed))
            result = run_load(server.url, reqs, concurrency, chunk, use_wrk=use_wrk)
            errors += result.errors
            requests_done += result.requests
            samples.append((time.monotonic() - began, rss_mb(server.pid)))
            print(
                f"  soak {samples[-1][0]:6.0f} s  RSS {samples[-1][1]:.0f} MB  "
                f"{result.rps:.0f} req/s  errors {errors}",
                flush=True,
            )
        mark = 120.0 if total > 150 else total / 2
        min2 = next((rss for t, rss in samples if t >= mark), samples[0][1])
        end = samples[-1][1]
        outcome = {
            "minutes": minutes,
            "concurrency": concurrency,
            "requests": requests_done,
            "errors": errors,
            "rss_start_mb": start_rss,
            "rss_min2_mb": min2,
            "rss_end_mb": end,
            "growth_pct": (end - min2) / min2 * 100 if min2 else None,
            "samples": samples,
            "baseline_at_s": mark,
        }
    finally:
        if server is not None:
            server.stop()
        sources.stop()
    targets = [t for t in report.evaluate([], outcome) if "soak" in t.name]
    print(report.text_targets(targets))
    profile = Profile(
        "soak", 5.0, minutes * 60, False, not use_wrk, (concurrency,), (), {}, 0, False, "soak"
    )
    meta = _meta(profile, latency_ms, use_wrk, notes, minutes * 60)
    json_path, md_path = report.write(results_dir, "soak", [], {}, targets, meta, outcome)
    print(f"wrote {json_path} and {md_path}")
    return 0
