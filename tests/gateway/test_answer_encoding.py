"""A huge answer's long lists are encoded a slice at a time, and read exactly the same.

``gateway.answer_encoding`` turns the lists of 500 items or more near the top of
an answer into JSON before the response is encoded, with a turn of the event
loop between slices. Clients must not be able to tell: the bytes are orjson's
for the whole answer. Over real HTTP, 1,000 customers in one answer (a sliced
list) read the same as the same customers asked 100 at a time (not sliced).
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from gateway.answer_encoding import LONG_LIST_ITEMS, SLICE_BYTES, sliced_answer
from tests.demo_harness import DemoSources
from tests.gateway.wire import post_query

IDS = [f"C-{10001 + n}" for n in range(1000)]
QUERY = (
    "query S($ids: [ID!]!) "
    "{ customers(ids: $ids) { id name email orders { id total lines { sku quantity } } } }"
)


def customer_with_orders(orders: int) -> dict[str, Any]:
    return {
        "customer": {
            "id": "C-1",
            "name": 'Zoë "Z" Ng',
            "orders": [
                {"id": f"SO-{n}", "total": n / 7, "lines": [{"sku": "A", "quantity": n}]}
                for n in range(orders)
            ],
        },
        "tags": [["vip"]] * LONG_LIST_ITEMS,
    }


async def test_a_sliced_answer_encodes_to_the_same_bytes() -> None:
    data = customer_with_orders(16_556)
    sliced = await sliced_answer(data)
    assert isinstance(sliced["customer"]["orders"], orjson.Fragment)
    assert isinstance(sliced["tags"], orjson.Fragment)
    assert orjson.dumps({"data": sliced}) == orjson.dumps({"data": data})
    assert isinstance(data["customer"]["orders"], list), "the answer itself is left as it was"


async def test_a_usual_answer_is_left_to_the_response_encoding() -> None:
    data = customer_with_orders(LONG_LIST_ITEMS - 1)
    data["tags"] = []
    assert await sliced_answer(data) is data
    assert await sliced_answer(None) is None


async def test_an_answer_whose_completion_met_no_long_list_is_not_looked_into() -> None:
    data = customer_with_orders(LONG_LIST_ITEMS)
    assert await sliced_answer(data, longest_list=LONG_LIST_ITEMS - 1) is data
    sliced = await sliced_answer(data, longest_list=LONG_LIST_ITEMS)
    assert isinstance(sliced["customer"]["orders"], orjson.Fragment)


async def test_other_requests_run_while_a_long_list_is_encoded() -> None:
    turns = 0
    done = False

    async def another_request() -> None:
        nonlocal turns
        while not done:
            turns += 1
            await asyncio.sleep(0)

    data = customer_with_orders(16_556)
    slices = len(orjson.dumps(data["customer"]["orders"])) // SLICE_BYTES
    running = asyncio.get_running_loop().create_task(another_request())
    await asyncio.sleep(0)
    before = turns
    await sliced_answer(data)
    done = True
    await running
    assert slices >= 3
    assert turns - before >= slices, "a turn of the loop after each slice of the list"


async def test_a_long_answer_over_http_reads_as_the_same_customers_asked_in_pieces(
    gateway_url: str, demo: DemoSources
) -> None:
    whole = await post_query(gateway_url, QUERY, {"ids": IDS})
    pieces: list[Any] = []
    for start in range(0, len(IDS), 100):
        piece = await post_query(gateway_url, QUERY, {"ids": IDS[start : start + 100]})
        assert "errors" not in piece.body
        pieces += piece.body["data"]["customers"]
    assert "errors" not in whole.body
    assert len(whole.body["data"]["customers"]) == 1000
    assert whole.body["data"]["customers"] == pieces
