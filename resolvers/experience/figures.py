"""Figures of the business views, kept for a while once computed (the process layer dates them).

A CMO or CEO section reads whole populations (every lead, every deal), so the
gateway keeps what it computed for ``ttl_s`` seconds: the next dashboard refresh
answers from memory. Only figures whose sources answered are kept (a failed
section is asked again next time). Every figure carries its ``as_of``: the
oldest moment any of its inputs describes, so a kept figure never looks newer
than it is. The cache is per gateway process, bounded in entries.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from resolvers.process.dated_figure import Figure

__all__ = ["MOST_FIGURES", "BusinessViewSettings", "Figure", "FigureCache"]

Value = TypeVar("Value")

MOST_FIGURES = 256


class FigureCache:
    """Computed figures by key, each fresh for ``ttl_s`` seconds (0: nothing is kept)."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Figure[Any]]] = OrderedDict()

    async def get(
        self, key: Hashable, compute: Callable[[], Awaitable[Figure[Value]]]
    ) -> Figure[Value]:
        """The kept figure for ``key`` while fresh, else ``compute()`` (kept when it succeeds)."""
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        figure = await compute()
        if self.ttl_s > 0:
            self._entries[key] = (self._clock() + self.ttl_s, figure)
            self._entries.move_to_end(key)
            while len(self._entries) > MOST_FIGURES:
                self._entries.popitem(last=False)
        return figure

    def clear(self) -> None:
        self._entries.clear()


@dataclass(slots=True)
class BusinessViewSettings:
    """What the CMO's and CEO's views are configured with (from the gateway's settings)."""

    ttl_s: float = 60.0
    large_deal_amount: float = 50_000.0
    large_deals_shown: int = 20
    figures: FigureCache = field(init=False)

    def __post_init__(self) -> None:
        self.figures = FigureCache(self.ttl_s)
