"""The identity cache's bounds: its TTL, its weight in bytes, and what it never keeps."""

from __future__ import annotations

from resolvers.system.identity_cache import MAX_RECORDS, IdentityCache, identity_cache
from resolvers.system.records import CustomerProfile


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def person(n: int, street: str = "1 Main St") -> CustomerProfile:
    return CustomerProfile("crm", f"C-{n}", "Ann", "Lee", f"ann{n}@example.com", street=street)


def test_an_answer_is_kept_for_the_ttl_and_no_longer() -> None:
    clock = Clock()
    cache = IdentityCache(30, 1_000_000, timer=clock)
    key = ("", "phone", "+15125550100")
    cache.put(key, [person(1)])
    clock.now = 29.9
    assert cache.get(key) == (person(1),)
    clock.now = 30.1
    assert cache.get(key) is None


def test_the_cache_weighs_no_more_than_its_bytes_the_least_recently_used_go() -> None:
    cache = IdentityCache(30, 10_000)
    for n in range(100):
        cache.put(("", "email", f"ann{n}@example.com"), [person(n)])
        assert cache.bytes <= 10_000
    assert 0 < len(cache) < 100
    assert cache.get(("", "email", "ann99@example.com")) is not None
    assert cache.get(("", "email", "ann0@example.com")) is None
    # One answer heavier than the whole cache is not kept (and evicts nothing).
    kept = len(cache)
    cache.put(("", "id", "C-big"), [person(1, street="x" * 20_000)])
    assert cache.get(("", "id", "C-big")) is None and len(cache) == kept


def test_nobody_found_and_a_crowd_are_not_kept() -> None:
    cache = IdentityCache(30, 10_000_000)
    cache.put(("", "phone", "+15125550100"), [])
    cache.put(("", "phone", "+15125550101"), [person(n) for n in range(MAX_RECORDS + 1)])
    assert len(cache) == 0


def test_a_ttl_of_0_is_no_cache() -> None:
    assert identity_cache(0, 1_000_000) is None
    assert identity_cache(30, 1_000_000) is not None
