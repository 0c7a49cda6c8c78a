"""``python -m bench.source_floor``: the source requests of one view, asked directly, timed.

The role bench's comparator for the agent view: what the sources themselves take,
as seen from this machine, when asked exactly what the view asks (the URLs the
demo systems logged for one view), each round trip's requests at once and the
rounds one after another. No gateway, no parsing, no mapping: one aiohttp
session, every answer's body read. Started pinned to the gateway's core, so the
sources are asked from where the gateway asks them.

``measure_floor`` runs it for the role bench. As a process it reads
``{"rounds": [[url, ...], ...], "requests": N}`` on stdin and prints one JSON
line: ``{"p50_ms", "p99_ms", "requests", "each_p50_ms": {url: p50 ms}}``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
import uvloop  # the gateway's own loop (uvicorn[standard])

from bench.processes import PYTHON, ROOT, SERVER_CORE, pinned

WARM_UP = 5
"""Rounds asked before timing: connections opened, as the gateway's are after its first view."""


@dataclass(slots=True, frozen=True)
class SourceFloor:
    """One view's source requests by round trip, asked directly: what the sources take."""

    rounds: tuple[tuple[str, ...], ...]
    """Per round trip, ``system path`` of each request."""
    p50_ms: float
    p99_ms: float
    slowest_p50_ms: float
    """The slowest single request's p50 (of the last round)."""


def measure_floor(
    trips: list[list[tuple[str, str]]], urls: dict[str, str], requests: int
) -> SourceFloor:
    """This module as a process on the gateway's core: ``trips`` (a view's requests by round,
    ``(system, path?query)``) asked directly ``requests`` times."""
    by_round = [[urls[system] + path for system, path in trip] for trip in trips]
    asked = {"rounds": by_round, "requests": requests}
    done = subprocess.run(
        pinned([PYTHON, "-m", "bench.source_floor"], SERVER_CORE),
        input=json.dumps(asked),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    measured = json.loads(done.stdout)
    each: dict[str, float] = measured["each_p50_ms"]
    last = by_round[-1] if by_round else []
    return SourceFloor(
        tuple(tuple(f"{system} {path.split('?')[0]}" for system, path in trip) for trip in trips),
        float(measured["p50_ms"]),
        float(measured["p99_ms"]),
        max((each[url] for url in last), default=0.0),
    )


async def _asked(session: aiohttp.ClientSession, url: str) -> float:
    started = time.perf_counter()
    async with session.get(url) as response:
        await response.read()
        response.raise_for_status()
    return (time.perf_counter() - started) * 1000


async def measure(rounds: Sequence[Sequence[str]], requests: int) -> dict[str, object]:
    """``requests`` times every round in a row; the whole's p50/p99 and each request's p50."""
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=30)
    timeout = aiohttp.ClientTimeout(total=10)
    totals: list[float] = []
    each: dict[str, list[float]] = {url: [] for round_ in rounds for url in round_}
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for attempt in range(WARM_UP + requests):
            started = time.perf_counter()
            for round_ in rounds:
                taken = await asyncio.gather(*(_asked(session, url) for url in round_))
                if attempt >= WARM_UP:
                    for url, ms in zip(round_, taken, strict=True):
                        each[url].append(ms)
            if attempt >= WARM_UP:
                totals.append((time.perf_counter() - started) * 1000)
    cut = statistics.quantiles(totals, n=100, method="inclusive")
    return {
        "p50_ms": statistics.median(totals),
        "p99_ms": cut[98],
        "requests": requests,
        "each_p50_ms": {url: statistics.median(ms) for url, ms in each.items()},
    }


def main() -> int:
    asked = json.loads(sys.stdin.read())
    rounds = [[str(url) for url in round_] for round_ in asked["rounds"]]
    print(json.dumps(uvloop.run(measure(rounds, int(asked["requests"])))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
