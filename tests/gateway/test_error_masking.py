"""A bug inside a resolver reaches the client as a masked error carrying the request id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import gateway.graphql_view
import resolvers.process.facts
from tests.gateway.wire import post_query

SECRET = "postgresql://svc:hunter2@10.20.30.40:5432/orders"


async def broken_records_of(*_args: Any) -> list[Any]:
    raise RuntimeError(f"connection to {SECRET} failed\nTraceback (most recent call last): ...")


async def test_unexpected_exception_is_masked_and_names_the_request(
    start_gateway: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resolvers.process.facts, "records_of", broken_records_of)
    url = start_gateway()
    reply = await post_query(url, '{ customer(id: "C-10001") { name orders { id } } }')
    assert reply.status == 200
    assert reply.body["data"]["customer"]["name"]  # the rest of the customer survives
    assert reply.body["data"]["customer"]["orders"] is None
    [error] = reply.body["errors"]
    assert error["path"] == ["customer", "orders"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == reply.headers["x-request-id"]
    text = str(reply.body)
    for leak in ("10.20.30.40", "hunter2", "Traceback", "RuntimeError", "facts.py"):
        assert leak not in text


async def test_masked_error_carries_the_callers_request_id(
    start_gateway: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resolvers.process.facts, "records_of", broken_records_of)
    url = start_gateway()
    reply = await post_query(
        url,
        '{ customer(id: "C-10001") { orders { id } } }',
        headers={"x-request-id": "call-center-7"},
    )
    assert reply.headers["x-request-id"] == "call-center-7"
    assert reply.body["errors"][0]["extensions"]["requestId"] == "call-center-7"


async def test_bug_in_the_http_layer_is_a_json_500_not_a_text_page(
    start_gateway: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_request_data(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"cannot reach {SECRET}")

    monkeypatch.setattr(gateway.graphql_view, "request_data", broken_request_data)
    url = start_gateway()
    reply = await post_query(url, "{ __typename }")
    assert reply.status == 500
    assert reply.content_type == "application/json"
    [error] = reply.body["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == reply.headers["x-request-id"]
    assert "10.20.30.40" not in str(reply.body)
