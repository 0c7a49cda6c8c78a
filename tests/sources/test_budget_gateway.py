"""A source's budget, end to end: the demo's billing with a quota, through a gateway of our own.

What a client and an operator see when the quota is spent: the invoices of the
next customer are null with an error naming the source and the budget (the rest
of the answer is whole), ``/readyz`` shows the budget and its refusal with the
breaker still closed, and ``/metrics`` counts it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from gateway.settings import DEMO_SOURCES
from tests.demo_harness import DemoSources, graphql
from tests.integration.test_resilience import metric
from tests.integration.world import planted

QUERY = "query($id: ID) { customer(id: $id) { name orders { id } invoices { id } } }"


def demo_config_with(tmp_path: Path, source: str, budget: dict[str, Any]) -> Path:
    """The demo's source config, as a user would edit it, with ``budget`` on ``source``."""
    config = yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))
    config["sources"][source]["budget"] = budget
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


async def test_a_spent_quota_nulls_only_its_sources_fields_naming_source_and_budget(
    start_gateway: Callable[..., str], demo: DemoSources, tmp_path: Path
) -> None:
    # One call to billing now, the next in 100 s: a quota the second customer cannot wait for.
    sources_file = demo_config_with(tmp_path, "billing", {"rate_per_s": 0.01, "burst": 1})
    gateway = start_gateway(sources_file=sources_file)
    _, first = await graphql(gateway, QUERY, {"id": planted("champion").crm_ids[0]})
    assert "errors" not in first and first["data"]["customer"]["invoices"]

    _, second = await graphql(gateway, QUERY, {"id": planted("loses_money").crm_ids[0]})
    customer = second["data"]["customer"]
    assert customer["invoices"] is None
    assert customer["name"] and customer["orders"] is not None
    [error] = second["errors"]
    assert error["path"] == ["customer", "invoices"]
    assert error["extensions"] == {
        "code": "SOURCE_BUDGET_EXCEEDED",
        "source": "billing",
        "budget": "rate_per_s",
    }
    assert error["message"].startswith("billing: budget exceeded: over its rate")

    async with aiohttp.ClientSession() as session, session.get(gateway + "/readyz") as resp:
        ready = await resp.json()
    billing = ready["sources"]["billing"]
    assert billing["breaker"] == "closed" and ready["degraded"] == []
    assert billing["budget"]["rate_per_s"] == 0.01
    assert billing["budget"]["refused"] == {"rate_per_s": 1}
    assert ready["sources"]["orders"]["budget"]["rate_per_s"] is None  # unset: unlimited
    refused = await metric(
        gateway, "c360_source_budget_refusals_total", source="billing", budget="rate_per_s"
    )
    assert refused >= 1
