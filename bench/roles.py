"""``python -m bench.roles``: each role's saved view with every demo source at 20 ms.

Prints, and writes to ``bench/results/roles-latest.md``, the p50/p99 latency of
``GET /views/<role>`` (the agent's, the CMO's, the CEO's) and the source requests
each answer costs, the CMO's and CEO's on a cold figure cache (every request
computed from the sources: ``C360_ROLE_VIEW_TTL_S=0``) and on a warm one. The
targets are the issue's: agent p50 within 5 ms of the slowest source it touches;
CMO and CEO within 3x the slowest source cold and under 5 ms warm. Figures are
printed, never asserted (a loaded machine is slower, not wrong). Run serialized:
``flock /tmp/c360-bench.lock .venv/bin/python -m bench.roles``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from bench.processes import ROOT, Server, start_sources, start_uvicorn
from sources.demo import SYSTEMS

RESULTS = ROOT / "bench" / "results" / "roles-latest.md"
GATEWAY_APP = "gateway.asgi:create_app"
AGENT_PHONE = "(555) 010-2345"
"""The README's demo caller (a CRM contact; the orders system stores the number otherwise)."""


@dataclass(slots=True, frozen=True)
class RoleRun:
    role: str
    cache: str
    requests: int
    p50_ms: float
    p99_ms: float
    source_requests: dict[str, float]
    """Per source system: requests per view answer."""
    errors: int


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return dict(json.loads(response.read()))


def _post(url: str) -> None:
    request = urllib.request.Request(url, data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass


def _source_counts(urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for system in SYSTEMS:
        stats = _get(urls[system] + "/_demo/stats")
        counts[system] = int(str(stats["requests"]))
    return counts


def _reset_sources(urls: dict[str, str]) -> None:
    for system in SYSTEMS:
        _post(urls[system] + "/_demo/reset")


def measure_view(
    gateway: str, path: str, urls: dict[str, str], role: str, cache: str, requests: int
) -> RoleRun:
    """``requests`` sequential GETs of ``path``; latency percentiles and source requests each."""
    _reset_sources(urls)
    times: list[float] = []
    errors = 0
    for _ in range(requests):
        started = time.perf_counter()
        answer = _get(gateway + path)
        times.append((time.perf_counter() - started) * 1000)
        errors += bool(answer.get("errors"))
    counts = _source_counts(urls)
    per_answer = {s: n / requests for s, n in counts.items() if n}
    cut = statistics.quantiles(times, n=100, method="inclusive")
    return RoleRun(role, cache, requests, statistics.median(times), cut[98], per_answer, errors)


def _gateway(urls: dict[str, str], log_dir: Path, ttl_s: float) -> Server:
    """A gateway whose figure cache keeps ``ttl_s``; with 0 it also remembers no caller
    (``C360_IDENTITY_CACHE_TTL_S=0``: every agent view finds its caller anew)."""
    env = {
        "C360_SOURCE_URLS": json.dumps(urls),
        "C360_LOG_LEVEL": "warning",
        "C360_ROLE_VIEW_TTL_S": str(ttl_s),
    }
    if ttl_s == 0:
        env["C360_IDENTITY_CACHE_TTL_S"] = "0"
    return start_uvicorn(f"c360-ttl{ttl_s:g}", GATEWAY_APP, env, log_dir)


def run(requests: int, latency_ms: float, customers: int) -> list[RoleRun]:
    runs: list[RoleRun] = []
    with tempfile.TemporaryDirectory(prefix="c360-bench-roles-") as directory:
        log_dir = Path(directory)
        sources, urls = start_sources(latency_ms, customers, log_dir)
        try:
            cold = _gateway(urls, log_dir, 0)
            try:
                agent = f"/views/agent?phone={quote(AGENT_PHONE)}"
                _get(cold.url + agent)  # connections opened, plans compiled
                runs.append(measure_view(cold.url, agent, urls, "agent", "new caller", requests))
                for role in ("cmo", "ceo"):
                    _get(cold.url + f"/views/{role}")
                    runs.append(
                        measure_view(cold.url, f"/views/{role}", urls, role, "cold", requests)
                    )
            finally:
                cold.stop()
            warm = _gateway(urls, log_dir, 600)
            try:
                _get(warm.url + agent)  # the caller remembered (identity cache)
                runs.append(measure_view(warm.url, agent, urls, "agent", "repeat caller", requests))
                for role in ("cmo", "ceo"):
                    _get(warm.url + f"/views/{role}")  # computed once, then kept
                    runs.append(
                        measure_view(warm.url, f"/views/{role}", urls, role, "warm", requests)
                    )
            finally:
                warm.stop()
        finally:
            sources.stop()
    return runs


def verdicts(runs: list[RoleRun], latency_ms: float) -> list[str]:
    """The issue's targets against the slowest source (every source at ``latency_ms``)."""
    lines = []
    for r in runs:
        if r.role == "agent":
            limit, target = latency_ms + 5, f"p50 ≤ slowest source + 5 ms = {latency_ms + 5:g} ms"
        elif r.cache == "cold":
            limit, target = 3 * latency_ms, f"p50 ≤ 3 × slowest source = {3 * latency_ms:g} ms"
        else:
            limit, target = 5.0, "p50 < 5 ms"
        met = "met" if r.p50_ms <= limit else "MISSED"
        lines.append(f"- {r.role} ({r.cache}): {target}: p50 {r.p50_ms:.1f} ms, {met}")
    return lines


def markdown(runs: list[RoleRun], latency_ms: float, command: str) -> str:
    rows = [
        "| view | cache | requests | p50 ms | p99 ms | source requests per answer | "
        "answers with errors |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for r in runs:
        asked = ", ".join(f"{s} {n:g}" for s, n in sorted(r.source_requests.items())) or "none"
        rows.append(
            f"| {r.role} | {r.cache} | {r.requests} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{asked} | {r.errors} |"
        )
    return "\n".join(
        [
            "# Role views: latency and source requests",
            "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, every demo source at {latency_ms:g} ms, "
            "sequential requests (one at a time) on a shared machine.",
            f"Command: `{command}`",
            "",
            *rows,
            "",
            "Targets (issue 19):",
            *verdicts(runs, latency_ms),
            "",
            "A new caller's agent view waits on two source round trips in a row: the caller is",
            "found in the customer systems by phone, then every other system is asked for that",
            "person at once. A repeat caller within the identity cache's TTL (30 s by default)",
            "costs one round trip: the customer systems are not asked again.",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.roles", description=__doc__)
    parser.add_argument("--requests", type=int, default=60, help="per view (default 60)")
    parser.add_argument("--latency-ms", type=float, default=20, help="every source's latency")
    parser.add_argument("--customers", type=int, default=1000, help="demo world size")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    arguments = parser.parse_args(argv)
    runs = run(arguments.requests, arguments.latency_ms, arguments.customers)
    command = "flock /tmp/c360-bench.lock .venv/bin/python -m bench.roles"
    if argv:
        command += " " + " ".join(argv)
    report = markdown(runs, arguments.latency_ms, command)
    print(report)
    if not arguments.no_write:
        RESULTS.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
