"""Malformed requests get a 400 with a GraphQL error that says what is wrong."""

from __future__ import annotations

from tests.demo_harness import DemoSources
from tests.gateway.wire import fetch_page, post_query, request


async def test_malformed_json_is_400_with_a_graphql_error(gateway_url: str) -> None:
    reply = await request(gateway_url, data=b'{"query": ')
    assert reply.status == 400
    assert "JSON" in reply.message


async def test_malformed_graphql_is_400_and_points_at_the_syntax_error(gateway_url: str) -> None:
    reply = await post_query(gateway_url, "{ customer(id: ) { id }")
    assert reply.status == 400
    assert "data" not in reply.body
    assert "Syntax Error" in reply.message
    assert reply.body["errors"][0]["locations"]


async def test_unknown_field_is_400_and_named(gateway_url: str, demo: DemoSources) -> None:
    reply = await post_query(gateway_url, '{ customer(id: "C-10001") { shoeSize } }')
    assert reply.status == 400
    assert "shoeSize" in reply.message
    assert (await demo.stats())["crm"] == 0


async def test_graphiql_is_served(gateway_url: str) -> None:
    status, _, page = await fetch_page(gateway_url)
    assert status == 200
    assert "graphiql" in page.lower()
