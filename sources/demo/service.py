"""The shell every demo system shares: request counters, latency/failure knobs, ops routes.

A system module only supplies its business routes and its OpenAPI document;
the shell makes it slow, flaky or broken on demand so tests and benchmarks can
see what the gateway does when a source misbehaves.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from random import Random
from typing import Any

from aiohttp import web

from sources.demo.params import BadRequest
from sources.demo.request_log import RequestLog

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MODES: tuple[str, ...] = ("ok", "error", "garbage", "hang", "wrong_shape")
HANG_SECONDS = 3600.0
OPS_PATHS = frozenset({"/openapi.json", "/healthz"})


@dataclass(slots=True)
class Knobs:
    """How badly a system behaves right now; changed at run time via `POST /_demo/knobs`."""

    latency_ms: float = 0.0
    failure_rate: float = 0.0
    mode: str = "ok"

    def updated(self, changes: dict[str, Any]) -> Knobs:
        """A validated copy with `changes` applied; BadRequest names the first bad field."""
        unknown = set(changes) - {"latency_ms", "failure_rate", "mode"}
        if unknown:
            raise BadRequest(f"unknown knob(s): {', '.join(sorted(unknown))}")
        latency = changes.get("latency_ms", self.latency_ms)
        failure = changes.get("failure_rate", self.failure_rate)
        mode = changes.get("mode", self.mode)
        if isinstance(latency, bool) or not isinstance(latency, int | float) or latency < 0:
            raise BadRequest("latency_ms must be a number >= 0")
        if (
            isinstance(failure, bool)
            or not isinstance(failure, int | float)
            or not 0 <= failure <= 1
        ):
            raise BadRequest("failure_rate must be a number between 0 and 1")
        if mode not in MODES:
            raise BadRequest(f"mode must be one of {', '.join(MODES)}")
        return Knobs(latency_ms=float(latency), failure_rate=float(failure), mode=mode)


def error_response(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status)


class DemoService:
    """One demo system (of either demo world): its aiohttp app, its counters and its knobs.

    `extra_stats`, when given, adds the system's own counters to `stats()` (and so
    to `/_demo/stats`) after the shell's; `reset_extra` is called by `reset()`
    after the shell's counters are zeroed. The foreign order system says there how
    many of its requests were later pages of one answer, so a test can tell "one
    request per query" from "one plus pages".
    """

    def __init__(
        self,
        system: str,
        routes: list[web.RouteDef],
        openapi: dict[str, Any],
        *,
        knobs: Knobs | None = None,
        seed: int = 360,
        extra_stats: Callable[[], dict[str, int]] | None = None,
        reset_extra: Callable[[], None] | None = None,
    ) -> None:
        self.system = system
        self.knobs = knobs or Knobs()
        self.requests: Counter[str] = Counter()
        self.log = RequestLog(system)
        """When each business request arrived and was answered (``GET /_demo/log``)."""
        self._openapi = openapi
        self._seed = seed
        self._failures = Random(f"{seed}:{system}:failures")
        self._closing = asyncio.Event()
        self._extra_stats = extra_stats
        self._reset_extra = reset_extra
        self.app = web.Application(middlewares=[self._middleware])
        self.app.router.add_routes(routes)
        self.app.router.add_get("/_demo/stats", self._stats)
        self.app.router.add_post("/_demo/reset", self._reset)
        self.app.router.add_get("/_demo/log", self._log)
        self.app.router.add_get("/_demo/knobs", self._get_knobs)
        self.app.router.add_post("/_demo/knobs", self._set_knobs)
        self.app.router.add_get("/healthz", self._health)
        self.app.router.add_get("/openapi.json", self._openapi_document)

    def stats(self) -> dict[str, Any]:
        """`{"system", "requests", "by_path"}`: business requests since start or last reset.

        Followed by the `extra_stats` counters, if the system has its own.
        """
        stats: dict[str, Any] = {
            "system": self.system,
            "requests": sum(self.requests.values()),
            "by_path": dict(sorted(self.requests.items())),
        }
        if self._extra_stats is not None:
            stats.update(self._extra_stats())
        return stats

    def reset(self) -> None:
        """Zero the counters and restart the failure sequence, so runs are repeatable."""
        self.requests.clear()
        self.log.clear()
        self._failures = Random(f"{self._seed}:{self.system}:failures")
        if self._reset_extra is not None:
            self._reset_extra()

    def release_hanging(self) -> None:
        """Let requests stuck in `hang` mode finish, so shutdown never waits on them."""
        self._closing.set()

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_demo/") or request.path in OPS_PATHS:
            return await self._answer(request, handler)
        resource = request.match_info.route.resource
        self.requests[resource.canonical if resource is not None else request.path] += 1
        entry = self.log.arrived(request.path_qs)
        try:
            return await self._misbehaving(request, handler)
        finally:
            self.log.answered(entry)

    async def _misbehaving(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The request as the knobs say: late, hanging, failing, garbled or answered."""
        knobs = Knobs(self.knobs.latency_ms, self.knobs.failure_rate, self.knobs.mode)
        if knobs.latency_ms > 0:
            await asyncio.sleep(knobs.latency_ms / 1000)
        if knobs.mode == "hang":
            try:
                await asyncio.wait_for(self._closing.wait(), timeout=HANG_SECONDS)
            except TimeoutError:
                pass
            return error_response(f"{self.system} is shutting down", 503)
        if knobs.mode == "error":
            return error_response(f"{self.system} failed (demo mode 'error')", 500)
        if knobs.mode == "garbage":
            return web.Response(text="<html>not json", content_type="application/json")
        if knobs.mode == "wrong_shape":
            return web.json_response({"data": "oops"})
        if knobs.failure_rate > 0 and self._failures.random() < knobs.failure_rate:
            return error_response(f"{self.system} is temporarily unavailable (demo)", 503)
        return await self._answer(request, handler)

    @staticmethod
    async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
        """Run the handler, turning every error into a JSON `{"error": ...}` body."""
        try:
            return await handler(request)
        except BadRequest as problem:
            return error_response(str(problem), 400)
        except web.HTTPException as problem:
            if problem.status < 400:
                raise
            return error_response(problem.reason, problem.status)

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def _log(self, request: web.Request) -> web.Response:
        return web.json_response(self.log.as_json())

    async def _reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response(self.stats())

    async def _get_knobs(self, request: web.Request) -> web.Response:
        return web.json_response(asdict(self.knobs))

    async def _set_knobs(self, request: web.Request) -> web.Response:
        try:
            changes = await request.json()
        except json.JSONDecodeError as problem:
            raise BadRequest(f"knobs body is not JSON: {problem}") from problem
        if not isinstance(changes, dict):
            raise BadRequest("knobs body must be a JSON object")
        self.knobs = self.knobs.updated(changes)
        return web.json_response(asdict(self.knobs))

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def _openapi_document(self, request: web.Request) -> web.Response:
        document = copy.deepcopy(self._openapi)
        document["servers"] = [{"url": str(request.url.origin())}]
        return web.json_response(document)
