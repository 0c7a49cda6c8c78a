"""Driving running demo systems over HTTP: business reads, knobs and request counters.

Tests and benchmarks use it to make a source slow or broken and to count how
many requests the gateway really sent, without knowing the systems' internals.
"""

from __future__ import annotations

from typing import Any

import aiohttp


class DemoCallFailed(Exception):
    """A demo system answered something other than 200 to a control or business call."""

    def __init__(self, system: str, path: str, status: int, body: str) -> None:
        super().__init__(f"{system} {path} answered {status}: {body[:200]}")
        self.status = status
        self.body = body


class DemoControl:
    """A remote for the systems at `urls` (system → base URL), over one shared session."""

    def __init__(self, session: aiohttp.ClientSession, urls: dict[str, str]) -> None:
        self.session = session
        self.urls = urls

    async def get(self, system: str, path: str, **params: str) -> Any:
        """GET a business endpoint and decode its JSON; DemoCallFailed unless 200."""
        async with self.session.get(self.urls[system] + path, params=params) as response:
            return await self._decoded(system, path, response)

    async def set_knobs(self, system: str, **knobs: Any) -> dict[str, Any]:
        """Change latency_ms, failure_rate and/or mode; returns the knobs now in force."""
        url = f"{self.urls[system]}/_demo/knobs"
        async with self.session.post(url, json=knobs) as response:
            knobs_now: dict[str, Any] = await self._decoded(system, "/_demo/knobs", response)
            return knobs_now

    async def stats(self, system: str) -> dict[str, Any]:
        """`{"system", "requests", "by_path"}` since start or the last reset."""
        async with self.session.get(f"{self.urls[system]}/_demo/stats") as response:
            counters: dict[str, Any] = await self._decoded(system, "/_demo/stats", response)
            return counters

    async def reset(self, *systems: str) -> None:
        """Zero the counters of `systems` (all of them if none is named)."""
        for system in systems or tuple(self.urls):
            async with self.session.post(f"{self.urls[system]}/_demo/reset") as response:
                await self._decoded(system, "/_demo/reset", response)

    @staticmethod
    async def _decoded(system: str, path: str, response: aiohttp.ClientResponse) -> Any:
        if response.status != 200:
            raise DemoCallFailed(system, path, response.status, await response.text())
        return await response.json()
