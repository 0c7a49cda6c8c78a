"""A document with several operations runs only the one the request names (GraphQL spec).

Without ``operationName`` such a document is a request error: HTTP 400 and a
message saying the name is required, on POST, GET and for persisted queries,
and no source is asked anything. An ``operationName`` naming no operation is
refused the same way.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.demo_harness import DemoSources
from tests.gateway.wire import Reply, request

TWO_OPERATIONS = """
query First { customer(id: "C-10001") { id name orders { id } } }
query Second { customer(id: "C-10002") { id invoices { id } } }
"""


def assert_operation_name_required(reply: Reply) -> None:
    assert reply.status == 400, reply.body
    assert "data" not in reply.body
    assert reply.codes == ["OPERATION_RESOLUTION_FAILURE"]
    assert "operationName is required" in reply.message
    assert "First, Second" in reply.message


async def nothing_asked(demo: DemoSources) -> None:
    assert set((await demo.stats()).values()) == {0}


async def test_several_operations_without_a_name_over_post(
    gateway_url: str, demo: DemoSources
) -> None:
    await demo.reset()
    reply = await request(gateway_url, json={"query": TWO_OPERATIONS})
    assert_operation_name_required(reply)
    await nothing_asked(demo)


async def test_several_operations_without_a_name_over_get(
    gateway_url: str, demo: DemoSources
) -> None:
    await demo.reset()
    reply = await request(gateway_url, "GET", params={"query": TWO_OPERATIONS})
    assert_operation_name_required(reply)
    await nothing_asked(demo)


async def test_several_operations_without_a_name_as_a_persisted_query(
    gateway_url: str, demo: DemoSources
) -> None:
    await demo.reset()
    digest = hashlib.sha256(TWO_OPERATIONS.encode()).hexdigest()
    apq: dict[str, Any] = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    registering = await request(gateway_url, json={"query": TWO_OPERATIONS, "extensions": apq})
    assert_operation_name_required(registering)
    by_hash = await request(gateway_url, json={"extensions": apq})
    assert_operation_name_required(by_hash)
    over_get = await request(gateway_url, "GET", params={"extensions": json.dumps(apq)})
    assert_operation_name_required(over_get)
    await nothing_asked(demo)


async def test_the_named_operation_runs_and_only_it(gateway_url: str, demo: DemoSources) -> None:
    await demo.reset()
    reply = await request(gateway_url, json={"query": TWO_OPERATIONS, "operationName": "Second"})
    assert reply.status == 200, reply.body
    assert reply.body["data"]["customer"]["id"] == "C-10002"
    assert "invoices" in reply.body["data"]["customer"]
    stats = await demo.stats()
    assert stats["orders"] == 0, "the first operation's fields were not run"
    first = await request(gateway_url, json={"query": TWO_OPERATIONS, "operationName": "First"})
    assert first.status == 200
    assert first.body["data"]["customer"]["id"] == "C-10001"


async def test_an_unknown_operation_name_is_a_request_error(gateway_url: str) -> None:
    for method, key in (("POST", "json"), ("GET", "params")):
        payload = {"query": TWO_OPERATIONS, "operationName": "Third"}
        reply = await request(gateway_url, method, **{key: payload})
        assert reply.status == 400, reply.body
        assert "data" not in reply.body
        assert reply.codes == ["OPERATION_RESOLUTION_FAILURE"]
        assert 'no operation named "Third"' in reply.message


async def test_a_document_that_does_not_validate_keeps_its_validation_errors(
    gateway_url: str,
) -> None:
    text = "query A { customer(id: 1) { nope } } query B { __typename }"
    reply = await request(gateway_url, json={"query": text})
    assert reply.status == 400
    assert "OPERATION_RESOLUTION_FAILURE" not in reply.codes
    assert "nope" in reply.message


async def test_one_operation_with_fragments_needs_no_name(gateway_url: str) -> None:
    text = 'query Only { customer(id: "C-10001") { ...Who } } fragment Who on Customer { id }'
    reply = await request(gateway_url, json={"query": text})
    assert reply.status == 200, reply.body
    assert reply.body["data"]["customer"]["id"] == "C-10001"
