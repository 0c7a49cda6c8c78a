"""``python -m bench.roles``: each role's saved view with every demo source at 20 ms.

Prints, and writes to ``bench/results/roles-latest.md``, the p50/p99 latency of
``GET /views/<role>`` (the agent's, the CMO's, the CEO's) and the source requests
each answer costs, the CMO's and CEO's on a cold figure cache (every request
computed from the sources: ``C360_ROLE_VIEW_TTL_S=0``) and on a warm one. The
targets are the issue's: agent p50 within 5 ms of the slowest source it touches;
CMO and CEO within 3x the slowest source cold and under 5 ms warm.

"The slowest source" is judged twice for the agent: literally (the configured
latency, + 5 ms) and as observed in the same run: the very source requests one
agent view made (read from the demo systems' request log, by round trip) asked
directly from the gateway's core by ``bench.source_floor``, rounds in a row. The
demo systems are Python servers sharing a core, so they answer slower than
configured; both verdicts are printed, a miss of either is said. Figures are
printed, never asserted (a loaded machine is slower, not wrong). Run serialized:
``flock /tmp/c360-bench.lock .venv/bin/python -m bench.roles``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from bench.processes import ROOT, Server, start_sources, start_uvicorn
from bench.source_floor import SourceFloor, measure_floor
from sources.demo import SYSTEMS
from sources.demo.request_log import from_json, rounds

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
    floor: SourceFloor | None = None
    """The agent's comparator: the same source requests asked directly (None for CMO, CEO)."""
    hop_ms: float | None = None
    """The agent's: p50 of a GET that does no work (``/healthz``), the HTTP hop alone."""


class ViewClient:
    """One kept-alive connection to the gateway, as a screen that refreshes keeps one: the
    timed GETs pay no TCP connect, the same as the gateway's own requests to the sources."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self._connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)

    def get(self, path: str) -> dict[str, object]:
        self._connection.request("GET", path)
        response = self._connection.getresponse()
        body = response.read()
        if response.status >= 400:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:200]!r}")
        return dict(json.loads(body))

    def close(self) -> None:
        self._connection.close()


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


def view_rounds(gateway: str, path: str, urls: dict[str, str]) -> list[list[tuple[str, str]]]:
    """The source requests one GET of ``path`` makes, ``(system, path?query)``, by round trip."""
    _reset_sources(urls)
    _get(gateway + path)
    logged = [e for system in SYSTEMS for e in from_json(_get(urls[system] + "/_demo/log"))]
    return [[(e.system, e.path) for e in trip] for trip in rounds(logged)]


def measure_view(
    gateway: str, path: str, urls: dict[str, str], role: str, cache: str, requests: int
) -> RoleRun:
    """``requests`` sequential GETs of ``path``; latency percentiles and source requests each."""
    times: list[float] = []
    errors = 0
    client = ViewClient(gateway)
    try:
        client.get(path)  # the connection opened, not timed (not counted by the sources either)
        _reset_sources(urls)
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            errors += bool(answer.get("errors"))
    finally:
        client.close()
    counts = _source_counts(urls)
    per_answer = {s: n / requests for s, n in counts.items() if n}
    cut = statistics.quantiles(times, n=100, method="inclusive")
    return RoleRun(role, cache, requests, statistics.median(times), cut[98], per_answer, errors)


def measure_hop(gateway: str, requests: int) -> float:
    """p50 of ``GET /healthz`` on a kept-alive connection: the HTTP round trip to the
    gateway and back with no work behind it, part of every view's p50."""
    client = ViewClient(gateway)
    try:
        client.get("/healthz")
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get("/healthz")
            times.append((time.perf_counter() - started) * 1000)
    finally:
        client.close()
    return statistics.median(times)


def _gateway(urls: dict[str, str], log_dir: Path, ttl_s: float) -> Server:
    """A gateway whose figure cache and identity cache keep ``ttl_s``; with 0 neither keeps
    anything (every agent view finds its caller anew). Set here, whatever the environment
    says (the test suite's turns the identity cache off)."""
    env = {
        "C360_SOURCE_URLS": json.dumps(urls),
        "C360_LOG_LEVEL": "warning",
        "C360_ROLE_VIEW_TTL_S": str(ttl_s),
        "C360_IDENTITY_CACHE_TTL_S": str(ttl_s),
    }
    return start_uvicorn(f"c360-ttl{ttl_s:g}", GATEWAY_APP, env, log_dir)


def _agent_run(gateway: str, path: str, urls: dict[str, str], cache: str, requests: int) -> RoleRun:
    """The agent view timed, then its source requests asked directly (its floor)."""
    measured = measure_view(gateway, path, urls, "agent", cache, requests)
    floor = measure_floor(view_rounds(gateway, path, urls), urls, requests)
    return RoleRun(
        measured.role,
        measured.cache,
        measured.requests,
        measured.p50_ms,
        measured.p99_ms,
        measured.source_requests,
        measured.errors,
        floor,
        measure_hop(gateway, requests),
    )


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
                runs.append(_agent_run(cold.url, agent, urls, "new caller", requests))
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
                runs.append(_agent_run(warm.url, agent, urls, "repeat caller", requests))
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
    """The issue's targets against the slowest source: as configured (every source at
    ``latency_ms``) and, for the agent, as observed (its requests asked directly)."""
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
        if r.floor is not None:
            trips = len(r.floor.rounds)
            observed = r.floor.p50_ms + 5
            met = "met" if r.p50_ms <= observed else "MISSED"
            lines.append(
                f"- {r.role} ({r.cache}), against the sources as observed: the same "
                f"{trips} round trip{'s' if trips != 1 else ''} asked directly take p50 "
                f"{r.floor.p50_ms:.1f} ms (slowest single request {r.floor.slowest_p50_ms:.1f} "
                f"ms); p50 ≤ {r.floor.p50_ms:.1f} + 5 = {observed:.1f} ms: p50 {r.p50_ms:.1f} "
                f"ms ({r.p50_ms - r.floor.p50_ms:+.1f} ms), {met}"
            )
        if r.floor is not None and r.hop_ms is not None:
            own = r.p50_ms - r.floor.p50_ms - r.hop_ms
            lines.append(
                f"  - of which the HTTP hop to the gateway and back (`GET /healthz`, kept-alive) "
                f"p50 {r.hop_ms:.1f} ms; the gateway's own time on the view ≈ {own:.1f} ms"
            )
    return lines


def markdown(
    runs: list[RoleRun], latency_ms: float, command: str, load: tuple[float, float] = (0, 0)
) -> str:
    rows = [
        "| view | cache | requests | p50 ms | p99 ms | source requests per answer | "
        "answers with errors | sources alone p50 / p99 ms |",
        "|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for r in runs:
        asked = ", ".join(f"{s} {n:g}" for s, n in sorted(r.source_requests.items())) or "none"
        alone = f"{r.floor.p50_ms:.1f} / {r.floor.p99_ms:.1f}" if r.floor is not None else ""
        rows.append(
            f"| {r.role} | {r.cache} | {r.requests} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{asked} | {r.errors} | {alone} |"
        )
    trips = [
        f"- agent ({r.cache}): "
        + "; then ".join(f"round {i}: {', '.join(t)}" for i, t in enumerate(r.floor.rounds, 1))
        for r in runs
        if r.floor is not None
    ]
    return "\n".join(
        [
            "# Role views: latency and source requests",
            "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, every demo source at {latency_ms:g} ms, "
            "sequential requests (one at a time) on a shared machine; load average "
            f"(1 min) {load[0]:.2f} at the start, {load[1]:.2f} at the end.",
            f"Command: `{command}`",
            "",
            *rows,
            "",
            "Targets (issue 19):",
            *verdicts(runs, latency_ms),
            "",
            "The agent view's source requests by round trip (from the demo systems' request",
            "log: a request that arrived after another's answer is the next round):",
            *trips,
            "",
            '"Sources alone": those very requests (same URLs), asked directly by',
            "`bench.source_floor` from the gateway's core, each round's at once, rounds in a",
            "row, every body read; no gateway. It is what the demo systems take as seen from",
            "this machine, and the agent's second verdict compares with it.",
            "",
            "A new caller's agent view waits on two source round trips in a row: the caller is",
            "found in the customer systems by phone, then every other system is asked for that",
            "person at once. A repeat caller within the identity cache's TTL (30 s by default;",
            "the warm gateway here keeps callers 600 s) costs one round trip: the customer",
            "systems are not asked again.",
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
    load_before = os.getloadavg()[0]
    runs = run(arguments.requests, arguments.latency_ms, arguments.customers)
    load = (load_before, os.getloadavg()[0])
    command = "flock /tmp/c360-bench.lock .venv/bin/python -m bench.roles"
    if argv:
        command += " " + " ".join(argv)
    report = markdown(runs, arguments.latency_ms, command, load)
    print(report)
    if not arguments.no_write:
        RESULTS.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
