"""A broken source costs only its own fields; the error names the source."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.demo_harness import DemoSources, graphql
from tests.integration.world import planted

QUERY = "query($id: ID) { customer(id: $id) { name orders { id } invoices { id } tickets { id } } }"


@pytest.mark.parametrize(
    ("mode", "code"),
    [
        ("error", "SOURCE_UNAVAILABLE"),
        ("garbage", "SOURCE_BAD_RESPONSE"),
        ("wrong_shape", "SOURCE_BAD_RESPONSE"),
    ],
)
async def test_broken_billing_nulls_invoices_and_keeps_the_rest(
    start_gateway: Callable[..., str], demo: DemoSources, mode: str, code: str
) -> None:
    gateway_url = start_gateway()  # nothing cached yet, so nothing stale to fall back on
    await demo.knobs("billing", mode=mode)
    crm_id = planted("champion").crm_ids[0]
    status, body = await graphql(gateway_url, QUERY, {"id": crm_id})
    assert status == 200
    customer = body["data"]["customer"]
    assert customer["invoices"] is None
    assert customer["name"] and customer["orders"]
    assert customer["tickets"] is not None
    [error] = body["errors"]
    assert error["path"] == ["customer", "invoices"]
    assert error["extensions"] == {"code": code, "source": "billing"}
    assert "billing" in error["message"]


async def test_dead_crm_fails_the_lookup_with_the_source_named(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    gateway_url = start_gateway()
    await demo.knobs("crm", mode="error")
    _, body = await graphql(gateway_url, QUERY, {"id": "C-10001"})
    assert body["data"] == {"customer": None}
    assert body["errors"][0]["extensions"]["source"] == "crm"
