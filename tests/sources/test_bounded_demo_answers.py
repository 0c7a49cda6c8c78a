"""Against the demo over real HTTP: a malformed aggregate answer is not served for its cache_ttl_s.

The orders system's `/stats/rfm` (cached 300 s) once answered `{"data": "oops"}`:
before, that answer was cached as fresh and every customer's RFM failed for five
minutes after the source was healthy again.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.demo_harness import DemoSources, graphql
from tests.integration.world import planted

QUERY = "query($id: ID) { customer(id: $id) { rfm { populationAsOf } } }"


async def test_a_malformed_rfm_answer_is_not_served_after_the_source_recovers(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()
    customer = {"id": planted("champion").crm_ids[0]}
    await demo.knobs("orders", mode="wrong_shape")
    _, sick = await graphql(url, QUERY, customer)
    assert any(e["extensions"]["code"] == "SOURCE_BAD_RESPONSE" for e in sick.get("errors", []))
    await demo.knobs("orders", mode="ok")
    _, healthy = await graphql(url, QUERY, customer)
    assert "errors" not in healthy, healthy["errors"]
    assert healthy["data"]["customer"]["rfm"]["populationAsOf"] is not None
