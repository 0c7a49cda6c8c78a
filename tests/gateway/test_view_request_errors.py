"""A saved view refuses a bad request the way /graphql does: JSON errors with a code.

``GET /views/cmo?months=twelve`` is a 400 naming the parameter; a number out of
its type's range is refused as /graphql refuses it, and another method is a JSON 405.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from gateway.settings import Settings
from tests.demo_harness import GatewayServer

TIMEOUT = aiohttp.ClientTimeout(total=15)


@pytest.fixture(scope="module")
def gateway() -> Iterator[str]:
    # No source is asked: every request here is refused before execution.
    with GatewayServer(Settings(gc_threshold=0)) as server:
        yield server.url


async def _call(method: str, url: str, **kwargs: Any) -> tuple[int, str, bytes]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.request(method, url, **kwargs) as resp:
            return resp.status, resp.content_type, await resp.read()


async def test_a_mistyped_parameter_is_a_400_naming_it(gateway: str) -> None:
    status, content_type, body = await _call("GET", gateway + "/views/cmo?months=twelve")
    assert (status, content_type) == (400, "application/json")
    assert b"'months'" in body and b"BAD_USER_INPUT" in body


async def test_a_parameter_out_of_its_type_s_range_is_refused_as_graphql_refuses_it(
    gateway: str,
) -> None:
    """``months=99999999999`` parses as a number but is no 32-bit Int."""
    view = await _call("GET", gateway + "/views/cmo?months=99999999999")
    graphql = await _call(
        "POST",
        gateway + "/graphql",
        json={"documentId": "cmo", "variables": {"months": 99999999999}},
    )
    assert graphql[0] == 400 and b'"code":"BAD_USER_INPUT"' in graphql[2]
    assert view == graphql


async def test_another_method_on_a_view_is_a_json_405(gateway: str) -> None:
    status, content_type, body = await _call("POST", gateway + "/views/cmo")
    assert (status, content_type) == (405, "application/json")
    assert b"METHOD_NOT_ALLOWED" in body


async def test_an_unknown_path_is_a_json_404_naming_it(gateway: str) -> None:
    status, content_type, body = await _call("GET", gateway + "/nowhere")
    assert (status, content_type) == (404, "application/json")
    assert b"GET /nowhere" in body and b"NOT_FOUND" in body
