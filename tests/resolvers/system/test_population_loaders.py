"""A figure of the CMO's or CEO's view read from no source is an error, not zeros.

The foreign world's order system has orders but no revenue report: the CEO's view
answered 0.0 for every month, zero NPS and no deals, with no error, which reads as
a very bad year. ``PopulationLoader.load`` now raises ``NoSourceServes`` (code
``FIGURE_UNAVAILABLE``, naming the kind) when no configured source serves the kind.
"""

from __future__ import annotations

import asyncio

import pytest

from resolvers.system.business_loaders import BusinessLoaders, NoSourceServes
from resolvers.system.loaders import SystemLoaders
from resolvers.system.runtime import SourceRuntime
from sources.config import parse_sources_config
from tests.resolvers.process.test_identity import CONFIG  # one CRM, no population lookup


async def test_a_kind_no_source_serves_is_named_and_coded() -> None:
    runtime = SourceRuntime.from_config(parse_sources_config(CONFIG))
    loaders = BusinessLoaders.over(SystemLoaders(runtime, asyncio.get_running_loop().time() + 5))
    assert not loaders.revenue_by_month.served
    with pytest.raises(NoSourceServes) as unavailable:
        await loaders.revenue_by_month.load()
    assert str(unavailable.value) == (
        "no configured source serves 'revenue_by_month' with an 'all' lookup, "
        "so this figure cannot be read"
    )
    assert unavailable.value.extensions == {
        "code": "FIGURE_UNAVAILABLE",
        "serves": "revenue_by_month",
    }
