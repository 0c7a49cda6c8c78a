"""The demo's service shell (counters, knobs, ops routes) with room for a system's own counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from sources.demo.service import DemoService, Knobs


class ForeignService(DemoService):
    """A DemoService whose `/_demo/stats` also carries the system's own counters.

    The order system says there how many of its requests were later pages of
    one answer, so a test can tell "one request per query" from "one plus pages".
    """

    def __init__(
        self,
        system: str,
        routes: list[web.RouteDef],
        openapi: dict[str, Any],
        *,
        knobs: Knobs | None = None,
        seed: int = 917,
        extra_stats: Callable[[], dict[str, int]] | None = None,
        reset_extra: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(system, routes, openapi, knobs=knobs, seed=seed)
        self._extra_stats = extra_stats
        self._reset_extra = reset_extra

    def stats(self) -> dict[str, Any]:
        stats = super().stats()
        if self._extra_stats is not None:
            stats.update(self._extra_stats())
        return stats

    def reset(self) -> None:
        super().reset()
        if self._reset_extra is not None:
            self._reset_extra()


def titled(document: dict[str, Any], title: str) -> dict[str, Any]:
    """`document` with its own title: these are not the demo's systems."""
    return {**document, "info": {**document["info"], "title": title}}
