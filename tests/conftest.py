from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from gateway.settings import Settings
from tests.demo_harness import DemoSources, GatewayServer, start_demo_process

# Test gateways ask the customer systems for every identity lookup (tests count the
# requests each source saw); the identity cache's tests start gateways with a TTL.
os.environ.setdefault("C360_IDENTITY_CACHE_TTL_S", "0")


@pytest.fixture(scope="session")
def demo_urls() -> Iterator[dict[str, str]]:
    proc, urls = start_demo_process("--customers", "1000")
    try:
        yield urls
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
async def demo(demo_urls: dict[str, str]) -> AsyncIterator[DemoSources]:
    """The demo sources, counters zeroed and knobs back to healthy after the test."""
    sources = DemoSources(demo_urls)
    await sources.all_knobs(latency_ms=0, failure_rate=0.0, mode="ok")
    await sources.reset()
    yield sources
    await sources.all_knobs(latency_ms=0, failure_rate=0.0, mode="ok")


@pytest.fixture(scope="session")
def state_dsn(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test gateways' offer-outcome store: a file of this run's, not ./c360-state.db."""
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('state') / 'c360-state.db'}"


@pytest.fixture(scope="session")
def gateway_url(demo_urls: dict[str, str], state_dsn: str) -> Iterator[str]:
    # gc_threshold=0: the gateway runs inside the test process; leave its collector alone
    settings = Settings(source_urls=demo_urls, gc_threshold=0, state_dsn=state_dsn)
    with GatewayServer(settings) as server:
        yield server.url


@pytest.fixture
def start_gateway(
    demo_urls: dict[str, str], state_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., str]]:
    """Start a gateway of one's own (empty caches, own breakers) with settings overrides.

    Its background intelligence work (population scan, lifetime-value fit) starts only
    after 600 s, unless the test gives its own ``intelligence_file``: tests that count
    the requests a source saw must not see the fit's (it starts 2 s after a gateway by
    default, inside a test on a loaded machine).
    """
    servers: list[GatewayServer] = []
    quiet = tmp_path_factory.mktemp("intelligence") / "no-background-work-during-tests.yaml"
    quiet.write_text("clv: {first_fit_after_s: 600}\n", encoding="utf-8")

    def start(**overrides: Any) -> str:
        defaults = {
            "source_urls": demo_urls,
            "gc_threshold": 0,
            "state_dsn": state_dsn,
            "intelligence_file": quiet,
        }
        settings = Settings(**{**defaults, **overrides})
        server = GatewayServer(settings).__enter__()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.__exit__(None, None, None)
