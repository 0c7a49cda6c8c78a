"""Saved-queries-only mode: the saved views run, by name, hash or text; nothing else does."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import aiohttp

from queries import saved_queries_dir

CEO = (saved_queries_dir() / "ceo.graphql").read_text(encoding="utf-8")


async def post(url: str, body: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.post(url + "/graphql", json=body) as resp:
            return resp.status, await resp.json(content_type=None)


def refused(status: int, body: Any) -> bool:
    errors = body["errors"] if isinstance(body, dict) else body[0]["errors"]
    return status == 400 and errors[0]["extensions"]["code"] == "SAVED_QUERY_REQUIRED"


async def test_only_saved_queries_run(start_gateway: Callable[..., str]) -> None:
    url = start_gateway(saved_queries_only=True, graphiql=False)
    status, body = await post(url, {"documentId": "ceo", "variables": {"months": 3}})
    assert status == 200 and len(body["data"]["ceoView"]["months"]) == 3
    digest = hashlib.sha256(CEO.encode()).hexdigest()
    status, body = await post(url, {"documentId": f"sha256:{digest}"})
    assert status == 200 and body["data"]["ceoView"]["revenue"]["months"]
    status, body = await post(url, {"query": CEO, "variables": {"months": 2}})
    assert status == 200 and len(body["data"]["ceoView"]["months"]) == 2

    status, body = await post(url, {"query": "{ __typename }"})
    assert refused(status, body)
    assert "cmo" in body["errors"][0]["message"]  # it says what may be run
    other = "query Sneaky { ceoView { nps { score } } }"
    apq = {"version": 1, "sha256Hash": hashlib.sha256(other.encode()).hexdigest()}
    assert refused(*await post(url, {"query": other, "extensions": {"persistedQuery": apq}}))
    status, body = await post(url, {"extensions": {"persistedQuery": apq}})
    assert (status in (200, 400) and "data" not in body) or body.get("data") is None
    status, batch = await post(url, [{"documentId": "cmo"}, {"query": "{ __typename }"}])
    assert status == 400 and "__typename" not in str(batch)  # a list never slips past
    async with aiohttp.ClientSession() as session:
        async with session.get(url + "/views/cmo?months=2") as resp:
            assert resp.status == 200
            assert len((await resp.json())["data"]["cmoView"]["months"]) == 2


async def test_the_mode_is_off_by_default(gateway_url: str) -> None:
    status, body = await post(gateway_url, {"query": "{ __typename }"})
    assert status == 200 and body["data"] == {"__typename": "Query"}
