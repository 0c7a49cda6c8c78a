"""The business views' figure cache: fresh for its TTL, never keeps a failure, bounded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from resolvers.experience.figures import MOST_FIGURES, Figure, FigureCache

AS_OF = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_figure_is_computed_once_per_ttl_and_keeps_its_as_of() -> None:
    clock = Clock()
    cache = FigureCache(60, clock)
    computed: list[int] = []

    async def compute() -> Figure[int]:
        computed.append(1)
        return Figure(len(computed), AS_OF)

    assert await cache.get("nps", compute) == Figure(1, AS_OF)
    clock.now += 59
    assert await cache.get("nps", compute) == Figure(1, AS_OF)
    clock.now += 2
    assert await cache.get("nps", compute) == Figure(2, AS_OF)
    assert len(computed) == 2


async def test_a_failed_figure_is_asked_again_next_time() -> None:
    cache = FigureCache(60, Clock())
    calls = 0

    async def flaky() -> Figure[str]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("surveys is down")
        return Figure("ok", AS_OF)

    with pytest.raises(RuntimeError):
        await cache.get("nps", flaky)
    assert (await cache.get("nps", flaky)).value == "ok"


async def test_ttl_zero_keeps_nothing_and_entries_are_bounded() -> None:
    clock = Clock()
    off = FigureCache(0, clock)
    counter = iter(range(10))

    async def next_value() -> Figure[int]:
        return Figure(next(counter), AS_OF)

    assert (await off.get("k", next_value)).value == 0
    assert (await off.get("k", next_value)).value == 1
    bounded = FigureCache(60, clock)
    for key in range(MOST_FIGURES + 5):

        async def value(key: int = key) -> Figure[int]:
            return Figure(key, AS_OF)

        await bounded.get(key, value)
    assert len(bounded._entries) == MOST_FIGURES
