"""With ``C360_GRAPHIQL=false`` and ``C360_INTROSPECTION=false`` the schema stays private."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gateway.settings import Settings
from tests.gateway.wire import (
    NORMAL_QUERY,
    assert_still_serving,
    fetch_page,
    post_query,
    request,
)

INTROSPECTION = "{ __schema { queryType { name } types { name } } }"


@pytest.fixture
def production_url(start_gateway: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> str:
    # Read from the environment exactly as in production, not passed as arguments.
    monkeypatch.setenv("C360_GRAPHIQL", "false")
    monkeypatch.setenv("C360_INTROSPECTION", "false")
    settings = Settings()
    assert not settings.graphiql and not settings.introspection
    return start_gateway(graphiql=settings.graphiql, introspection=settings.introspection)


async def test_graphiql_off_answers_404_json(production_url: str) -> None:
    reply = await request(production_url, "GET", headers={"accept": "text/html"})
    assert reply.status == 404
    assert reply.content_type == "application/json"
    assert reply.codes == ["NOT_FOUND"]
    assert "GraphiQL is turned off" in reply.message


@pytest.mark.parametrize(
    "query", [INTROSPECTION, '{ __type(name: "Customer") { fields { name } } }']
)
async def test_introspection_off_answers_400(production_url: str, query: str) -> None:
    reply = await post_query(production_url, query)
    assert reply.status == 400
    assert "data" not in reply.body
    assert "introspection" in reply.message.lower()
    await assert_still_serving(production_url)


async def test_queries_still_work_over_post_and_get(production_url: str) -> None:
    posted = await post_query(production_url, NORMAL_QUERY)
    assert posted.status == 200
    got = await request(production_url, "GET", params={"query": NORMAL_QUERY})
    assert got.status == 200
    assert got.body == posted.body


async def test_defaults_serve_graphiql_and_introspection(gateway_url: str) -> None:
    status, content_type, page = await fetch_page(gateway_url)
    assert (status, content_type) == (200, "text/html")
    assert "graphiql" in page.lower()
    reply = await post_query(gateway_url, INTROSPECTION)
    assert reply.status == 200
    assert reply.body["data"]["__schema"]["queryType"]["name"] == "Query"
