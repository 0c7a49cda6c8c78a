"""The endpoint speaks GraphQL over HTTP: media types, status codes, methods, request ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
import strawberry

import gateway.app
from schema.execution import ExecutionEngine
from schema.query import Query
from tests.demo_harness import DemoSources
from tests.gateway.wire import NORMAL_QUERY, assert_still_serving, post_query, request

GRAPHQL_RESPONSE = "application/graphql-response+json"
ACCEPT_NEW = {"accept": GRAPHQL_RESPONSE}


async def test_client_asking_for_graphql_response_json_gets_it(gateway_url: str) -> None:
    reply = await post_query(gateway_url, NORMAL_QUERY, headers=ACCEPT_NEW)
    assert reply.status == 200
    assert reply.content_type == GRAPHQL_RESPONSE
    assert reply.body["data"]["customer"]["id"] == "C-10001"


@pytest.mark.parametrize(
    "accept",
    [None, "application/json", "*/*", "application/json, application/graphql-response+json;q=0.5"],
)
async def test_other_clients_keep_application_json(gateway_url: str, accept: str | None) -> None:
    headers = {"accept": accept} if accept else {}
    reply = await post_query(gateway_url, NORMAL_QUERY, headers=headers)
    assert reply.status == 200
    assert reply.content_type == "application/json"


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ customer(id: ) { id }", "GRAPHQL_PARSE_FAILED"),
        ('{ customer(id: "C-10001") { shoeSize } }', "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_request_failing_before_execution_is_400_without_data(
    gateway_url: str, accept: str, query: str, code: str
) -> None:
    reply = await post_query(gateway_url, query, headers={"accept": accept})
    assert reply.status == 400
    assert reply.content_type == accept
    assert "data" not in reply.body
    assert reply.codes == [code]


async def test_field_error_during_execution_is_200_with_data(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()  # empty caches: nothing stale to answer with
    await demo.knobs("crm", mode="error")
    reply = await post_query(url, NORMAL_QUERY, headers=ACCEPT_NEW)
    assert reply.status == 200
    assert reply.content_type == GRAPHQL_RESPONSE
    assert reply.body["data"] == {"customer": None}
    assert reply.body["errors"][0]["path"] == ["customer"]


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
async def test_unsupported_content_type_is_415(
    gateway_url: str, accept: str, content_type: str
) -> None:
    reply = await request(
        gateway_url,
        data=b'{"query": "{ __typename }"}',
        headers={"content-type": content_type, "accept": accept},
    )
    assert reply.status == 415
    assert reply.content_type == accept
    assert reply.codes == ["UNSUPPORTED_MEDIA_TYPE"]
    assert "application/json" in reply.message
    await assert_still_serving(gateway_url)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405_with_allow(gateway_url: str, method: str) -> None:
    reply = await request(gateway_url, method, data=b"{}", headers=ACCEPT_NEW)
    assert reply.status == 405
    assert reply.headers["allow"] == "GET, POST"
    assert reply.codes == ["METHOD_NOT_ALLOWED"]
    assert method in reply.message


async def test_query_over_get_works(gateway_url: str) -> None:
    reply = await request(
        gateway_url,
        "GET",
        params={
            "query": "query($id: ID) { customer(id: $id) { id } }",
            "variables": '{"id": "C-10001"}',
        },
        headers=ACCEPT_NEW,
    )
    assert reply.status == 200
    assert reply.content_type == GRAPHQL_RESPONSE
    assert reply.body["data"]["customer"]["id"] == "C-10001"


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"query": "{ __typename }", "variables": "{not json"}, "`variables` query parameter"),
        ({"query": "{ __typename }", "extensions": "{not json"}, "`extensions` query parameter"),
        ({"query": "{ __typename }", "variables": "[1]"}, "variables"),
        ({}, "No GraphQL query"),
    ],
)
async def test_bad_get_request_is_400(gateway_url: str, params: dict[str, str], says: str) -> None:
    reply = await request(gateway_url, "GET", params=params, headers=ACCEPT_NEW)
    assert reply.status == 400
    assert says in reply.message
    assert "body" not in reply.message  # a GET has none
    assert reply.codes == ["BAD_REQUEST"]


async def test_mutation_over_get_is_405_even_without_a_mutation_type(gateway_url: str) -> None:
    reply = await request(gateway_url, "GET", params={"query": "mutation { anything }"})
    assert reply.status == 405
    assert reply.headers["allow"] == "POST"
    assert "mutation cannot be sent with GET" in reply.message
    await assert_still_serving(gateway_url)


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self) -> bool:
        return True


def schema_with_mutation(
    extensions: Sequence[Any] = (), *, engine: ExecutionEngine | None = None
) -> strawberry.Schema:
    """The gateway's query type plus a mutation, wired to the engine as ``build_schema`` does."""
    if engine is None:
        return strawberry.Schema(query=Query, mutation=Mutation, extensions=list(extensions))
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[*extensions, engine.extension],
        execution_context_class=engine.execution_context_class,
    )


async def test_mutation_is_refused_over_get_and_runs_over_post(
    start_gateway: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gateway.app, "build_schema", schema_with_mutation)
    url = start_gateway()
    refused = await request(url, "GET", params={"query": "mutation { touch }"}, headers=ACCEPT_NEW)
    assert refused.status == 405
    assert refused.headers["allow"] == "POST"
    assert refused.content_type == GRAPHQL_RESPONSE
    executed = await post_query(url, "mutation { touch }", headers=ACCEPT_NEW)
    assert executed.status == 200
    assert executed.body == {"data": {"touch": True}}


async def test_every_answer_names_its_request(gateway_url: str) -> None:
    ok = await post_query(gateway_url, NORMAL_QUERY)
    invalid = await post_query(gateway_url, "{ nope }")
    refused = await request(gateway_url, data=b"null")
    ids = [r.headers.get("x-request-id") for r in (ok, invalid, refused)]
    assert all(ids) and len(set(ids)) == 3


async def test_request_id_from_the_client_is_echoed(gateway_url: str) -> None:
    reply = await post_query(gateway_url, NORMAL_QUERY, headers={"x-request-id": "trace-42"})
    assert reply.headers["x-request-id"] == "trace-42"
