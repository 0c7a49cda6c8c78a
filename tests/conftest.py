from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from gateway.settings import Settings
from tests.demo_harness import DemoSources, GatewayServer, start_demo_process


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
def gateway_url(demo_urls: dict[str, str]) -> Iterator[str]:
    with GatewayServer(Settings(source_urls=demo_urls)) as server:
        yield server.url
