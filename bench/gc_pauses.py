"""The gateway with a record of its garbage collections, for the attack scenario.

``uvicorn --factory bench.gc_pauses:create_app``: the gateway as ``gateway.asgi``
builds it, plus ``GET /bench/gc``, which answers the collections since the last
read per generation (count, total and longest pause in ms) and starts a new
tally. A collection stops every request on the event loop, so its pause is
what a probe waits for, whatever else the gateway is doing. Bench only: the
production app has no such route. ``C360_BENCH_STALLS=1`` also samples where the
loop stalls; ``C360_BENCH_UNSLICED=1`` encodes answers in one go (an A/B of
``gateway.answer_encoding``), ``C360_BENCH_GC_THRESHOLDS=10000,2,50`` sets the
collector's thresholds at the first ``/bench/gc`` (an experiment; none paid).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway import answer_encoding
from gateway.asgi import create_app as create_gateway


@dataclass(slots=True)
class Tally:
    """Collections of one generation: how many, their pauses added up, the longest."""

    count: int = 0
    total_ms: float = 0.0
    longest_ms: float = 0.0

    def as_json(self) -> dict[str, float]:
        return {
            "count": self.count,
            "total_ms": round(self.total_ms, 1),
            "longest_ms": round(self.longest_ms, 1),
        }


@dataclass(slots=True)
class CollectionPauses:
    """A ``gc.callbacks`` entry timing each collection from its start to its stop."""

    tallies: list[Tally] = field(default_factory=lambda: [Tally(), Tally(), Tally()])
    _started: float = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause_ms = (time.perf_counter() - self._started) * 1000
        tally = self.tallies[info["generation"]]
        tally.count += 1
        tally.total_ms += pause_ms
        tally.longest_ms = max(tally.longest_ms, pause_ms)

    def read(self) -> dict[str, dict[str, float]]:
        """The tallies since the last read, by generation; counting starts anew.

        ``heap`` counts the objects a full collection walks now (frozen ones are not).
        """
        read = {f"gen{n}": tally.as_json() for n, tally in enumerate(self.tallies)}
        read["heap"] = {
            "tracked": float(sum(len(gc.get_objects(generation=n)) for n in range(3))),
            "frozen": float(gc.get_freeze_count()),
        }
        self.tallies = [Tally(), Tally(), Tally()]
        return read


STALL_MS = 20.0
"""A turn of the event loop longer than this is a stall: its stack is sampled."""


class StallSampler:
    """A thread that samples the loop thread's stack while the loop has not turned for a while.

    The loop bumps a heartbeat every millisecond; every 2 ms the thread looks,
    and when the heartbeat is older than ``STALL_MS`` it counts the loop thread's
    innermost project frames (``C360_BENCH_STALLS=1`` turns it on).
    """

    def __init__(self) -> None:
        self.beat = time.perf_counter()
        self.samples: Counter[str] = Counter()
        self._loop_thread = threading.get_ident()

    async def heartbeat(self) -> None:
        while True:
            self.beat = time.perf_counter()
            await asyncio.sleep(0.001)

    def watch(self) -> None:
        while True:
            time.sleep(0.002)
            if (time.perf_counter() - self.beat) * 1000 < STALL_MS:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            where: list[str] = []
            while frame is not None and len(where) < 4:
                name = frame.f_code.co_filename
                if "/work/main/" in name and "/.venv/" not in name:
                    where.append(f"{'/'.join(name.rsplit('/', 2)[-2:])}:{frame.f_code.co_name}")
                elif not where:
                    where.append(f"{name.rsplit('/', 1)[-1]}:{frame.f_code.co_name}")
                frame = frame.f_back
            self.samples[" < ".join(where)] += 1

    def read(self) -> list[tuple[str, int]]:
        read = self.samples.most_common(15)
        self.samples = Counter()
        return read


def create_app() -> Starlette:
    if os.environ.get("C360_BENCH_UNSLICED") == "1":  # an A/B switch for the bench alone
        answer_encoding.LONG_LIST_ITEMS = sys.maxsize
    app = create_gateway()
    pauses = CollectionPauses()
    gc.callbacks.append(pauses)
    stalls = StallSampler() if os.environ.get("C360_BENCH_STALLS") == "1" else None

    async def collections(request: Request) -> Response:
        thresholds = os.environ.get("C360_BENCH_GC_THRESHOLDS")  # "10000,2,50": an experiment
        if thresholds:
            first, second, third = (int(n) for n in thresholds.split(","))
            gc.set_threshold(first, second, third)
        if stalls is not None and not hasattr(app.state, "heartbeat"):
            app.state.heartbeat = asyncio.get_running_loop().create_task(stalls.heartbeat())
            threading.Thread(target=stalls.watch, daemon=True).start()
        if request.query_params.get("allocator") == "1":
            sys._debugmallocstats()  # to the gateway's log: pymalloc's arenas, for a diagnosis
        read: dict[str, object] = dict(pauses.read())
        if stalls is not None:
            read["stalls"] = stalls.read()
        return JSONResponse(read)

    app.router.routes.insert(0, Route("/bench/gc", collections, methods=["GET"]))
    return app
