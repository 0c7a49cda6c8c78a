"""Over HTTP, lists completed in slices go out as JSON encoded slice by slice, unchanged.

The GraphQL view runs every operation within ``encoded_as_completed``: a long
list (a customer's thousands of orders) is turned into bytes a slice at a time
instead of being held as dicts until the response is encoded. Here every
customer's orders take that way (the slicing threshold lowered to one order)
and the answer must read as it does the usual way.
"""

from __future__ import annotations

import pytest

from schema.execution import encoded_lists, leaves
from tests.demo_harness import DemoSources
from tests.gateway.wire import post_query

IDS = [f"C-{10001 + n}" for n in range(40)]
QUERY = (
    "query S($ids: [ID!]!) { customers(ids: $ids) { id name "
    "orders { id placedAt total status lines { sku quantity unitPrice } } } }"
)


async def test_orders_encoded_slice_by_slice_read_as_the_usual_answer(
    gateway_url: str, demo: DemoSources, monkeypatch: pytest.MonkeyPatch
) -> None:
    usual = await post_query(gateway_url, QUERY, {"ids": IDS})
    fragments = 0
    fragment = encoded_lists.EncodedList.fragment

    def counted(self: encoded_lists.EncodedList) -> object:
        nonlocal fragments
        fragments += 1
        return fragment(self)

    monkeypatch.setattr(leaves, "SLICED_ITEMS", 1)
    monkeypatch.setattr(encoded_lists.EncodedList, "fragment", counted)
    encoded = await post_query(gateway_url, QUERY, {"ids": IDS})
    assert usual.status == encoded.status == 200
    assert "errors" not in usual.body
    assert fragments >= 10, "customers' orders went out encoded slice by slice"
    assert encoded.body == usual.body
