"""Fixtures: the demo systems running on ephemeral ports, and a remote to drive them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from sources.demo import SYSTEMS
from sources.demo.cluster import DemoCluster, start_demo_sources
from sources.demo.control import DemoControl

TEST_CUSTOMERS = 300


@pytest.fixture
async def cluster() -> AsyncIterator[DemoCluster]:
    running = await start_demo_sources(
        ports=dict.fromkeys(SYSTEMS, 0), customers=TEST_CUSTOMERS, today=datetime.now(UTC).date()
    )
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


@pytest.fixture
def control(cluster: DemoCluster, http: aiohttp.ClientSession) -> DemoControl:
    return DemoControl(http, cluster.urls)
