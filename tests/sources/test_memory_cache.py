"""The embedded response cache: what it answers for known, unknown and expired keys."""

from __future__ import annotations

import asyncio

from sources.cache import CachedEntry, MemoryCache


def entry(stored_at: float) -> CachedEntry:
    return CachedEntry([{"id": "T-1"}], stored_at, stored_at + 1)


async def test_answers_each_key_in_order_and_none_where_nothing_is_cached() -> None:
    cache = MemoryCache()
    await cache.set_many({"support/a": entry(1.0), "support/b": entry(2.0)}, keep_s=60)
    assert await cache.get_many(["support/b", "support/x", "support/a"]) == [
        entry(2.0),
        None,
        entry(1.0),
    ]
    await cache.set_many({"support/a": entry(3.0)}, keep_s=60)
    assert await cache.get_many(["support/a"]) == [entry(3.0)], "the latest answer wins"


async def test_entries_are_forgotten_after_keep_s() -> None:
    cache = MemoryCache(keep_s=0.05)
    await cache.set_many({"support/a": entry(1.0)}, keep_s=0.05)
    await asyncio.sleep(0.08)
    assert await cache.get_many(["support/a", "support/a"]) == [None, None]


async def test_the_least_recently_used_entry_goes_first_when_full() -> None:
    cache = MemoryCache(maxsize=2)
    await cache.set_many({"a": entry(1.0), "b": entry(2.0)}, keep_s=60)
    await cache.get_many(["a"])
    await cache.set_many({"c": entry(3.0)}, keep_s=60)
    assert await cache.get_many(["a", "b", "c"]) == [entry(1.0), None, entry(3.0)]


async def test_an_answer_is_kept_as_long_as_its_source_asks_within_the_cap() -> None:
    cache = MemoryCache(keep_s=60)
    await cache.set_many({"support/a": entry(1.0)}, keep_s=0.05)
    await cache.set_many({"support/b": entry(2.0)}, keep_s=600)
    await asyncio.sleep(0.08)
    assert await cache.get_many(["support/a", "support/b"]) == [None, entry(2.0)]
