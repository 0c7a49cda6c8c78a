"""The agent view with one source dead: latency and errors before and after its breaker opens.

``python -m bench.resilience [--mode hang|error] [--source support] [--requests 200]``

Starts the demo sources (20 ms each) and the gateway pinned to its own core,
measures the saved agent view while all sources are healthy, then breaks one
source and measures again: the requests it takes the breaker to open (each
waits for the source's timeout), and the requests once it is open (they should
cost what healthy ones cost: the target is p50 within 5 ms of healthy). No
request may exceed the request deadline. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.processes import DRIVER_CORE, pin_self, start_sources, start_uvicorn

RESULTS = Path(__file__).resolve().parent / "results"
DEADLINE_MS = 3_000


@dataclass
class Phase:
    name: str
    requests: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    error_rate: float
    stale_rate: float


def summarize(name: str, samples: list[tuple[float, dict[str, Any]]]) -> Phase:
    times = sorted(t for t, _ in samples)
    errors = sum(1 for _, body in samples if body.get("errors"))
    stale = sum(1 for _, body in samples if (body.get("extensions") or {}).get("freshness"))
    return Phase(
        name,
        len(samples),
        round(statistics.median(times), 2),
        round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
        round(times[-1], 2),
        round(errors / len(samples), 3),
        round(stale / len(samples), 3),
    )


async def agent_view(
    session: aiohttp.ClientSession, base: str, phone: str
) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    async with session.get(base + "/views/agent", params={"phone": phone}) as resp:
        body = await resp.json(content_type=None)
    return (time.perf_counter() - started) * 1000, body


async def breaker_state(session: aiohttp.ClientSession, base: str, source: str) -> str:
    async with session.get(base + "/readyz") as resp:
        return str((await resp.json())["sources"][source]["breaker"])


async def run(args: argparse.Namespace) -> dict[str, Any]:
    log_dir = Path(tempfile.mkdtemp(prefix="c360-resilience-"))
    sources, urls = start_sources(args.latency_ms, 1000, log_dir)
    gateway = None
    try:
        env = {"C360_SOURCE_URLS": json.dumps(urls), "C360_REQUEST_DEADLINE_MS": str(DEADLINE_MS)}
        gateway = start_uvicorn("c360", "gateway.asgi:create_app", env, log_dir)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            ids = ",".join(f"C-{10001 + i}" for i in range(2 * args.phones + 100))
            async with session.get(urls["crm"] + "/contacts", params={"ids": ids}) as resp:
                everyone = [c["phone"] for c in (await resp.json())["data"]]
            phones, strangers = everyone[: args.phones], everyone[args.phones :]
            # Callers seen while healthy have cached records to fall back on (stale);
            # first-time callers after the failure have none (an error on the lost fields).
            broken_phase_callers = phones if args.callers == "seen" else strangers
            # Warm-up: connections and code paths. It also caches each caller's records,
            # which is what lets a dead source's fields be served stale later.
            for phone in phones:
                await agent_view(session, gateway.url, phone)
            healthy = [
                await agent_view(session, gateway.url, phones[i % len(phones)])
                for i in range(args.requests)
            ]
            async with session.post(urls[args.source] + "/_demo/knobs", json={"mode": args.mode}):
                pass
            opening: list[tuple[float, dict[str, Any]]] = []
            while await breaker_state(session, gateway.url, args.source) != "opened":
                opening.append(
                    await agent_view(
                        session,
                        gateway.url,
                        broken_phase_callers[len(opening) % len(broken_phase_callers)],
                    )
                )
                if len(opening) > 100:
                    raise RuntimeError("the breaker did not open after 100 failing requests")
            opened = [
                await agent_view(
                    session, gateway.url, broken_phase_callers[i % len(broken_phase_callers)]
                )
                for i in range(args.requests)
            ]
        phases = [
            summarize("all healthy", healthy),
            summarize(f"{args.source} {args.mode}, breaker closed", opening),
            summarize(f"{args.source} {args.mode}, breaker open", opened),
        ]
        return {
            "source": args.source,
            "mode": args.mode,
            "callers": args.callers,
            "latency_ms": args.latency_ms,
            "deadline_ms": DEADLINE_MS,
            "phases": [asdict(p) for p in phases],
            "open_minus_healthy_p50_ms": round(phases[2].p50_ms - phases[0].p50_ms, 2),
            "max_ms_overall": max(p.max_ms for p in phases),
        }
    finally:
        if gateway is not None:
            gateway.stop()
        sources.stop()


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"Agent view (saved query, concurrency 1), demo sources at {result['latency_ms']:.0f} "
        f"ms, `{result['source']}` set to `{result['mode']}`, "
        f"request deadline {result['deadline_ms']} ms; callers after the failure: "
        f"{result['callers']} before",
        "",
        "| phase | requests | p50 ms | p99 ms | max ms | error rate | stale rate |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in result["phases"]:
        lines.append(
            f"| {p['name']} | {p['requests']} | {p['p50_ms']} | {p['p99_ms']} | {p['max_ms']} | "
            f"{p['error_rate']:.1%} | {p['stale_rate']:.1%} |"
        )
    delta = result["open_minus_healthy_p50_ms"]
    within = result["max_ms_overall"] <= result["deadline_ms"]
    lines += [
        "",
        f"- breaker open vs healthy, p50: {delta:+.2f} ms (target ≤ +5 ms: "
        f"{'PASS' if delta <= 5 else 'MISS'})",
        f"- slowest request {result['max_ms_overall']} ms vs deadline {result['deadline_ms']} ms: "
        f"{'PASS' if within else 'MISS'}",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.resilience", description=__doc__)
    parser.add_argument("--source", default="support", help="the source to break")
    parser.add_argument("--mode", default="hang", choices=["hang", "error", "garbage"])
    parser.add_argument("--requests", type=int, default=200, help="per measured phase")
    parser.add_argument("--phones", type=int, default=40, help="distinct callers per phase")
    parser.add_argument(
        "--callers",
        choices=["seen", "unseen", "both"],
        default="both",
        help="after the failure, call back the same callers (stale answers) or new ones",
    )
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args(argv)
    if not 1 <= args.phones <= 200:
        parser.error("--phones must be between 1 and 200")
    pin_self(DRIVER_CORE)
    variants = ["seen", "unseen"] if args.callers == "both" else [args.callers]
    results = []
    for callers in variants:
        args.callers = callers
        results.append(asyncio.run(run(args)))
    text = "\n".join(markdown(result) for result in results)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "resilience.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "resilience.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
