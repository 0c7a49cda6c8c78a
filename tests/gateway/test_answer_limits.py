"""The list items of one answer are bounded while it is completed (``C360_MAX_ANSWER_ITEMS``).

Against the real gateway and the demo sources over HTTP: an answer holding more
list items than the limit is ``data: null`` and one ``RESPONSE_TOO_LARGE`` error
naming the limit, whether the operation runs as a compiled plan or generically
(``@include`` on a variable is not compiled), with the same message; one within
the limit is whole. The deadline's share (``DEADLINE_EXCEEDED``) is tested with
a deadline already passed in ``tests/schema/test_completion_budget.py``: the
demo's sources cannot be made slow to complete without being slow to answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.settings import Settings
from tests.demo_harness import DemoSources
from tests.gateway.wire import assert_still_serving, post_query

IDS = [f"C-{10001 + n}" for n in range(1000)]
COMPILED = "query S($ids: [ID!]!) { customers(ids: $ids) { id name orders { id total } } }"
GENERIC = (
    "query S($ids: [ID!]!, $yes: Boolean!) "
    "{ customers(ids: $ids) { id name orders @include(if: $yes) { id total } } }"
)


def stopped_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body["data"] is None, body
    (error,) = body["errors"]
    return dict(error)


async def test_an_answer_over_max_answer_items_is_one_error_naming_the_limit(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(max_answer_items=150)
    compiled = await post_query(url, COMPILED, {"ids": IDS[:200]})
    generic = await post_query(url, GENERIC, {"ids": IDS[:200], "yes": True})
    for reply in (compiled, generic):
        assert reply.status == 200, reply.body
        error = stopped_error(reply.body)
        assert error["extensions"] == {"code": "RESPONSE_TOO_LARGE", "limit": 150}
        assert "holds more than 150 list items" in error["message"]
        assert "at most 150 (C360_MAX_ANSWER_ITEMS)" in error["message"]
    assert stopped_error(compiled.body)["message"] == stopped_error(generic.body)["message"]
    await assert_still_serving(url)


async def test_an_answer_within_max_answer_items_is_whole(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(max_answer_items=150)
    compiled = await post_query(url, COMPILED, {"ids": IDS[:3]})
    generic = await post_query(url, GENERIC, {"ids": IDS[:3], "yes": True})
    assert "errors" not in compiled.body and "errors" not in generic.body
    assert compiled.body == generic.body
    assert [c["id"] for c in compiled.body["data"]["customers"]] == IDS[:3]
    assert all(c["orders"] for c in compiled.body["data"]["customers"])


async def test_the_default_limit_lets_the_benchmarks_largest_answer_through(
    gateway_url: str, demo: DemoSources
) -> None:
    """1,000 customers with all their orders and lines (the 11,985-orders scenario's shape)."""
    query = (
        "query S($ids: [ID!]!) "
        "{ customers(ids: $ids) { id orders { id lines { sku quantity unitPrice } } } }"
    )
    reply = await post_query(gateway_url, query, {"ids": IDS})
    assert "errors" not in reply.body
    customers = reply.body["data"]["customers"]
    orders = [order for customer in customers for order in customer["orders"]]
    items = len(customers) + len(orders) + sum(len(order["lines"]) for order in orders)
    assert len(customers) == 1000 and len(orders) > 5_000
    assert items < Settings().max_answer_items


async def test_graphql_cores_executor_alone_is_bounded_the_same_way(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    """``C360_COMPILED=false``: graphql-core's executor alone; the same limit, the same error."""
    compiled_url = start_gateway(max_answer_items=150)
    alone_url = start_gateway(max_answer_items=150, compiled=False)
    compiled = await post_query(compiled_url, COMPILED, {"ids": IDS[:200]})
    alone = await post_query(alone_url, COMPILED, {"ids": IDS[:200]})
    assert alone.status == 200, alone.body
    assert stopped_error(alone.body)["extensions"] == {"code": "RESPONSE_TOO_LARGE", "limit": 150}
    assert stopped_error(alone.body)["message"] == stopped_error(compiled.body)["message"]
    within = await post_query(alone_url, COMPILED, {"ids": IDS[:3]})
    assert within.body == (await post_query(compiled_url, COMPILED, {"ids": IDS[:3]})).body
    assert "errors" not in within.body
    await assert_still_serving(alone_url)
