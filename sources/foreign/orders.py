"""The foreign order system: knows only its own customer ids; answers grouped, paged batches.

`GET /v1/customer-orders?customer_ids=oc-1,oc-2` answers one group per id asked,
`{"customer_id": "oc-1", "orders": [...]}`, PAGE_SIZE groups a page, and a
`next_cursor` until the last page, as batch APIs do.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sources.demo.openapi import (
    array,
    batch_parameter,
    document,
    get_operation,
    money,
    obj,
    ref,
    string,
)
from sources.demo.params import BadRequest, required_batch
from sources.demo.service import DemoService, Knobs
from sources.foreign.openapi import titled
from sources.foreign.world import ORDER_STATES, ForeignWorld

JsonRecord = dict[str, Any]
SYSTEM = "orders"
PAGE_SIZE = 20
CURSOR_PREFIX = "grp:"


class ForeignOrders:
    """Orders by own customer id, newest first; counts how many requests were later pages."""

    def __init__(self, world: ForeignWorld) -> None:
        self.by_customer: dict[str, list[JsonRecord]] = {}
        for order in world.orders:
            self.by_customer.setdefault(order["customer_id"], []).append(order)
        self.later_pages = 0

    async def customer_orders(self, request: web.Request) -> web.Response:
        ids = list(dict.fromkeys(required_batch(request, "customer_ids")))
        start = _offset(request.query.get("cursor"))
        if start:
            self.later_pages += 1
        groups = [
            {"customer_id": key, "orders": self.by_customer.get(key, [])}
            for key in ids[start : start + PAGE_SIZE]
        ]
        following = start + PAGE_SIZE
        cursor = f"{CURSOR_PREFIX}{following}" if following < len(ids) else None
        return web.json_response({"groups": groups, "next_cursor": cursor})

    def stats(self) -> dict[str, int]:
        return {"later_pages": self.later_pages}

    def reset(self) -> None:
        self.later_pages = 0


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.startswith(CURSOR_PREFIX) or not cursor[len(CURSOR_PREFIX) :].isdigit():
        raise BadRequest(f"unknown cursor {cursor!r}")
    return int(cursor[len(CURSOR_PREFIX) :])


def create_service(world: ForeignWorld, *, knobs: Knobs | None = None) -> DemoService:
    system = ForeignOrders(world)
    routes = [web.get("/v1/customer-orders", system.customer_orders)]
    return DemoService(
        SYSTEM,
        routes,
        OPENAPI,
        knobs=knobs,
        seed=world.seed,
        extra_stats=system.stats,
        reset_extra=system.reset,
    )


CURSOR_PARAMETER = {
    "name": "cursor",
    "in": "query",
    "required": False,
    "description": "The previous page's next_cursor; absent for the first page.",
    "schema": {"type": "string"},
    "example": "grp:20",
}

OPENAPI = titled(
    document(
        SYSTEM,
        "Orders of the order system's own customers (it knows no other system's ids).",
        {
            "/v1/customer-orders": {
                "get": get_operation(
                    "batchCustomerOrders",
                    "Orders grouped by customer, one group per id asked, newest first",
                    [
                        batch_parameter(
                            "customer_ids",
                            "Own customer ids.",
                            "oc-48213,oc-51002",
                            required=True,
                        ),
                        CURSOR_PARAMETER,
                    ],
                    "CustomerOrdersPage",
                    description=f"{PAGE_SIZE} groups a page; follow next_cursor until null.",
                )
            }
        },
        {
            "Order": obj(
                {
                    "order_ref": string("Order reference.", example="OC-48213-01"),
                    "customer_id": string("Own customer id.", example="oc-48213"),
                    "ordered_at": string("When it was placed, ISO 8601 UTC.", fmt="date-time"),
                    "state": string("Fulfilment state.", enum=tuple(dict.fromkeys(ORDER_STATES))),
                    "grand_total": money("Order total"),
                    "currency": string("ISO currency code.", example="USD"),
                }
            ),
            "CustomerOrders": obj(
                {
                    "customer_id": string("The id asked.", example="oc-48213"),
                    "orders": array(ref("Order")),
                }
            ),
            "CustomerOrdersPage": obj(
                {
                    "groups": array(ref("CustomerOrders")),
                    "next_cursor": string(
                        "Cursor of the next page; null on the last.", nullable=True
                    ),
                }
            ),
        },
    ),
    "Foreign Orders API",
)
