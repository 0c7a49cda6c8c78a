"""One row of a table: check a server's answer, warm it up, time it, read its costs.

Costs come from outside the server: request counters of the demo sources and
``/proc`` of the server's process tree, so a gateway cannot misreport itself.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.load import HttpRequest, LoadResult, run_load
from bench.processes import Server, cpu_seconds, peak_rss_mb, process_tree
from bench.scenarios import FLOOR, PEERS, Scenario

CHECKED_INPUTS = 3


@dataclass
class Row:
    scenario: str
    target: str
    concurrency: int
    p50_ms: float | None = None
    p99_ms: float | None = None
    rps: float | None = None
    requests: int = 0
    errors: int = 0
    source_requests_per_query: float | None = None
    source_requests_by_system: dict[str, float] = field(default_factory=dict)
    source_requests_one_query: dict[str, int] = field(default_factory=dict)
    """Exact counts for one query on idle sources (the window's averages include requests
    of queries still in flight when it opens or closes)."""
    cpu_ms_per_query: float | None = None
    peak_rss_mb: float | None = None
    sources_cpu_pct: float | None = None
    driver: str = ""
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class DemoCounters:
    """The demo sources' ``/_demo/stats`` request counters (REST systems only)."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = {name: url for name, url in urls.items() if url.startswith("http")}

    def reset(self) -> None:
        for url in self.urls.values():
            urllib.request.urlopen(
                urllib.request.Request(url + "/_demo/reset", method="POST"), timeout=5
            ).close()

    def wait_idle(self, timeout_s: float = 15.0) -> None:
        """Wait until no source serves requests any more: a slow row's backlog must not leak
        into the next row's figures (a peer keeps calling sources after its client is gone)."""
        deadline = time.monotonic() + timeout_s
        last = sum(self.read().values())
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = sum(self.read().values())
            if now == last:
                return
            last = now

    def read(self) -> dict[str, int]:
        counts = {}
        for name, url in self.urls.items():
            with urllib.request.urlopen(url + "/_demo/stats", timeout=5) as response:
                counts[name] = int(json.loads(response.read())["requests"])
        return counts


def fetch(base_url: str, request: HttpRequest, timeout_s: float = 60) -> dict[str, Any]:
    """One request, its decoded JSON answer (4xx/5xx bodies included)."""
    http = urllib.request.Request(
        base_url + request.path,
        data=request.body,
        method=request.method,
        headers=dict(request.headers),
    )
    try:
        with urllib.request.urlopen(http, timeout=timeout_s) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
    try:
        answer: dict[str, Any] = json.loads(body)
    except ValueError:
        return {"errors": [{"message": f"not JSON: {body[:80]!r}"}]}
    return answer


def _reset_peak(pid: int) -> None:
    """Zero VmHWM so the row's peak RSS is this run's, not the process's lifetime peak."""
    for member in process_tree(pid):
        try:
            Path(f"/proc/{member}/clear_refs").write_text("5")
        except OSError:
            pass


def _errors_that_count(kind: str, answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Errors that make an answer wrong; the per-customer peer's null-handle error is by design."""
    errors: list[dict[str, Any]] = answer.get("errors") or []
    if kind in PEERS:
        errors = [e for e in errors if "must not be null" not in e.get("message", "")]
    return errors


def check(
    scenario: Scenario, kind: str, server: Server, floor_answers: list[dict[str, Any]]
) -> str | None:
    """Why this server's answers are wrong, or None; peers may differ by design (noted)."""
    for index, value in enumerate(scenario.inputs[:CHECKED_INPUTS]):
        request = scenario.build(kind, value)
        if request is None:
            continue
        answer = fetch(server.url, request)
        errors = _errors_that_count(kind, answer)
        if errors:
            return f"errors: {errors[0].get('message', '')[:100]}"
        if not floor_answers:
            continue  # no floor for this row (role views, the workers comparison)
        problem = scenario.check(kind, floor_answers[index], answer)
        if problem:
            return problem
    return None


def floor_answers(scenario: Scenario, floor: Server | None) -> list[dict[str, Any]]:
    if floor is None or FLOOR not in scenario.kinds:
        return []
    return [
        fetch(floor.url, request)
        for value in scenario.inputs[:CHECKED_INPUTS]
        if (request := scenario.build(FLOOR, value)) is not None
    ]


def measure(
    scenario: Scenario,
    kind: str,
    server: Server,
    concurrency: int,
    *,
    counters: DemoCounters,
    sources: Server,
    warmup_s: float,
    duration_s: float,
    use_wrk: bool,
    expected: list[dict[str, Any]],
    label: str | None = None,
) -> Row:
    row = Row(scenario.key, label or kind, concurrency)
    requests = [r for v in scenario.inputs if (r := scenario.build(kind, v)) is not None]
    if not requests:
        row.note = "n/a"
        return row
    problem = check(scenario, kind, server, expected)
    if problem and (kind not in PEERS or problem.startswith("errors")):
        row.note = f"wrong answer, not timed: {problem}"
        return row
    if problem:
        row.note = f"differs: {problem}"
    counters.wait_idle()
    counters.reset()
    fetch(server.url, requests[min(CHECKED_INPUTS, len(requests) - 1)])
    row.source_requests_one_query = {name: n for name, n in counters.read().items() if n}
    if warmup_s > 0:
        run_load(server.url, requests, concurrency, warmup_s, use_wrk=use_wrk)
    duration_s = max(duration_s, scenario.min_duration_s)
    counters.reset()
    _reset_peak(server.pid)
    cpu_before, sources_before = cpu_seconds(server.pid), cpu_seconds(sources.pid)
    result: LoadResult = run_load(server.url, requests, concurrency, duration_s, use_wrk=use_wrk)
    cpu_after, sources_after = cpu_seconds(server.pid), cpu_seconds(sources.pid)
    counts = counters.read()
    done = max(result.requests, 1)
    if result.requests == 0:
        row.note = f"no request completed in {duration_s:.0f} s"
        row.errors, row.driver = result.errors, result.driver
        return row
    row.p50_ms, row.p99_ms, row.rps = result.p50_ms, result.p99_ms, result.rps
    row.requests, row.errors, row.driver = result.requests, result.errors, result.driver
    row.source_requests_by_system = {name: n / done for name, n in counts.items()}
    row.source_requests_per_query = sum(counts.values()) / done
    row.cpu_ms_per_query = (cpu_after - cpu_before) * 1000 / done
    row.peak_rss_mb = peak_rss_mb(server.pid)
    row.sources_cpu_pct = (sources_after - sources_before) / max(result.duration_s, 1e-9) * 100
    if not server.alive():
        row.note = (row.note + "; " if row.note else "") + "server died"
    return row
