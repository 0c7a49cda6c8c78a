"""Malformed requests get a 400 with a GraphQL error that says what is wrong."""

from __future__ import annotations

import aiohttp

from tests.demo_harness import DemoSources, graphql


async def post_raw(
    url: str, data: bytes, content_type: str = "application/json"
) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url + "/graphql", data=data, headers={"content-type": content_type}
        ) as resp:
            return resp.status, await resp.json(content_type=None)


async def test_malformed_json_is_400_with_a_graphql_error(gateway_url: str) -> None:
    status, body = await post_raw(gateway_url, b'{"query": ')
    assert status == 400
    assert "JSON" in body["errors"][0]["message"]


async def test_malformed_graphql_is_400_and_points_at_the_syntax_error(gateway_url: str) -> None:
    status, body = await graphql(gateway_url, "{ customer(id: ) { id }")
    assert status == 400
    assert "data" not in body
    assert "Syntax Error" in body["errors"][0]["message"]
    assert body["errors"][0]["locations"]


async def test_unknown_field_is_400_and_named(gateway_url: str, demo: DemoSources) -> None:
    status, body = await graphql(gateway_url, '{ customer(id: "C-10001") { shoeSize } }')
    assert status == 400
    assert "shoeSize" in body["errors"][0]["message"]
    assert (await demo.stats())["crm"] == 0


async def test_graphiql_is_served(gateway_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(gateway_url + "/graphql", headers={"accept": "text/html"}) as resp:
            assert resp.status == 200
            assert "graphiql" in (await resp.text()).lower()
