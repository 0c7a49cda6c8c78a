"""Load drivers: fixed concurrency for a fixed time, latencies and errors out.

``wrk`` (C, event loop, a Lua script for the POST bodies) is the real driver; the
Python aiohttp driver is the fallback where wrk is missing and for ``--smoke``,
where a few requests only prove the harness works end to end.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from bench.processes import DRIVER_CORE, pinned


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One request of a workload; a workload cycles through a list of them."""

    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)


@dataclass(slots=True)
class LoadResult:
    requests: int
    errors: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    driver: str
    error_detail: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def ensure_wrk() -> str | None:
    """Install Debian's wrk if it is missing; None when it is there, else what happened."""
    if wrk_available():
        return None
    print("bench: wrk is missing; installing it with `apt-get install -y wrk` ...", flush=True)
    try:
        done = subprocess.run(
            ["apt-get", "install", "-y", "wrk"], capture_output=True, text=True, timeout=180
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not install wrk ({exc}); using the Python driver"
    if done.returncode != 0 or not wrk_available():
        return "apt-get install wrk failed; using the Python driver"
    return "installed wrk with apt-get"


def _lua_string(text: str) -> str:
    level = "=" * 4
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def wrk_script(requests: list[HttpRequest], host: str) -> str:
    """A Lua script cycling through ``requests`` and printing its summary as one JSON line.

    Debian's wrk does not add ``Host`` to ``wrk.format`` requests; Node servers answer
    400 without it, so every request carries it explicitly.
    """
    lines = ["local reqs = {}"]
    for index, request in enumerate(requests, start=1):
        pairs = (("Host", host), *request.headers)
        headers = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in pairs)
        body = _lua_string(request.body.decode()) if request.body is not None else "nil"
        lines.append(
            f"reqs[{index}] = wrk.format({_lua_string(request.method)}, "
            f"{_lua_string(request.path)}, {{{headers}}}, {body})"
        )
    lines += [
        "local i = 0",
        "request = function()",
        "  i = i % #reqs + 1",
        "  return reqs[i]",
        "end",
        "done = function(summary, latency, requests)",
        "  local e = summary.errors",
        '  io.write(string.format(\'BENCH_JSON {"requests":%d,"duration_us":%d,'
        '"p50_us":%d,"p99_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,'
        '"timeout":%d}\\n\', summary.requests, summary.duration, latency:percentile(50),'
        " latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))",
        "end",
    ]
    return "\n".join(lines) + "\n"


def run_wrk(
    base_url: str, requests: list[HttpRequest], concurrency: int, duration_s: int
) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(requests, urlsplit(base_url).netloc))
    try:
        command = [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{max(1, duration_s)}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            base_url,
        ]
        done = subprocess.run(
            pinned(command, DRIVER_CORE),
            capture_output=True,
            text=True,
            timeout=duration_s + 30,
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {done.stdout[-500:]} {done.stderr[-500:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    detail = {k: data[k] for k in ("connect", "read", "write", "status", "timeout") if data[k]}
    return LoadResult(
        requests=data["requests"],
        errors=sum(detail.values()),
        duration_s=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        driver="wrk",
        error_detail=detail,
    )


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


async def _drive(
    base_url: str, requests: list[HttpRequest], concurrency: int, duration_s: float
) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    counter = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as session:
        stop_at = time.perf_counter() + duration_s

        async def worker() -> None:
            nonlocal errors, counter
            while time.perf_counter() < stop_at:
                request = requests[counter % len(requests)]
                counter += 1
                started = time.perf_counter()
                try:
                    async with session.request(
                        request.method,
                        request.path,
                        data=request.body,
                        headers=dict(request.headers),
                    ) as response:
                        await response.read()
                        ok = response.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    ok = False
                latencies.append(time.perf_counter() - started)
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return LoadResult(
        requests=len(latencies),
        errors=errors,
        duration_s=elapsed,
        p50_ms=_percentile(latencies, 50) * 1000,
        p99_ms=_percentile(latencies, 99) * 1000,
        driver="python",
    )


def run_python(
    base_url: str, requests: list[HttpRequest], concurrency: int, duration_s: float
) -> LoadResult:
    """The aiohttp driver, in this (already pinned) process."""
    return asyncio.run(_drive(base_url, requests, concurrency, duration_s))


def run_load(
    base_url: str,
    requests: list[HttpRequest],
    concurrency: int,
    duration_s: float,
    *,
    use_wrk: bool,
) -> LoadResult:
    if use_wrk:
        return run_wrk(base_url, requests, concurrency, round(duration_s))
    return run_python(base_url, requests, concurrency, duration_s)
