"""Oversized and trickled bodies are cut off early (413, 408, as JSON); others are still served."""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest

from gateway.variable_lists import over_long_variable
from tests.gateway.wire import assert_still_serving, raw_exchange, request

MB = 1_000_000


def head(url: str, framing: str) -> bytes:
    host = url.removeprefix("http://")
    return (
        f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Accept: application/json\r\nConnection: close\r\n{framing}\r\n\r\n"
    ).encode()


def chunked(payload: bytes) -> bytes:
    return f"{len(payload):x}\r\n".encode() + payload + b"\r\n"


async def test_announced_10mb_body_is_refused_before_it_is_sent(gateway_url: str) -> None:
    # Only 64 KB of the announced 10 MB ever leave the client: the answer cannot wait for more.
    reply = await raw_exchange(
        gateway_url, head(gateway_url, f"Content-Length: {10 * MB}"), [b" " * 65_536]
    )
    assert reply.status == 413
    assert reply.body["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"
    assert "1000000 bytes" in reply.body["errors"][0]["message"]
    assert reply.headers["connection"] == "close"
    await assert_still_serving(gateway_url)


async def test_chunked_body_is_counted_while_it_streams(gateway_url: str) -> None:
    # No Content-Length to judge by, and the body never ends: the answer comes
    # once just over 1 MB has arrived (all of it read, so the close is clean).
    parts = [chunked(b" " * 65_536) for _ in range(17)]
    reply = await raw_exchange(gateway_url, head(gateway_url, "Transfer-Encoding: chunked"), parts)
    assert reply.status == 413
    assert reply.body["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"
    await assert_still_serving(gateway_url)


async def test_client_that_asks_first_is_told_413_before_sending_anything(
    gateway_url: str,
) -> None:
    # curl sends large bodies with `Expect: 100-continue`: it must get the 413, not a 100.
    framing = f"Content-Length: {10 * MB}\r\nExpect: 100-continue"
    reply = await raw_exchange(gateway_url, head(gateway_url, framing), [])
    assert reply.status == 413
    assert reply.body["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"


async def test_body_under_the_limit_passes(gateway_url: str) -> None:
    padding = " " * 900_000
    reply = await request(gateway_url, data=f'{{"query": "{{ __typename }}"{padding}}}'.encode())
    assert reply.status == 200
    assert reply.body == {"data": {"__typename": "Query"}}


async def test_body_trickled_one_byte_at_a_time_is_cut_off_with_408(
    start_gateway: Callable[..., str],
) -> None:
    url = start_gateway(body_read_timeout_s=1.0)
    body = b'{"query": "{ __typename }"}'
    reply = await raw_exchange(
        url,
        head(url, f"Content-Length: {len(body)}"),
        [bytes([b]) for b in body],
        pause_s=0.25,
    )
    assert reply.status == 408
    assert reply.body["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"
    assert "took longer than 1 s" in reply.body["errors"][0]["message"]
    # Cut off at the read timeout, not before; no upper bound (CI is a loaded machine).
    assert reply.seconds >= 1.0
    await assert_still_serving(url)


async def test_body_limits_come_from_settings(start_gateway: Callable[..., str]) -> None:
    url = start_gateway(max_body_bytes=2_048)
    reply = await request(url, json={"query": "{ __typename }", "pad": "x" * 4_096})
    assert reply.status == 413
    assert "2048 bytes" in reply.body["errors"][0]["message"]
    await assert_still_serving(url)


MANY = "query Many($ids: [ID!]!) { customers(ids: $ids) { id } }"


async def test_a_100000_id_variable_is_refused_naming_it_and_the_limit(gateway_url: str) -> None:
    ids = [str(n) for n in range(100_000)]
    reply = await request(gateway_url, json={"query": MANY, "variables": {"ids": ids}})
    assert reply.status == 400
    (error,) = reply.body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "Variable $ids holds more than 1000 items; at most 1000 are allowed."
    await assert_still_serving(gateway_url)


async def test_an_over_long_list_is_refused_before_the_rest_of_the_body_is_decoded(
    gateway_url: str,
) -> None:
    """Past its 1,001st item the list is not JSON at all: refused for its length, not its syntax."""
    items = ",".join(f'"{n}"' for n in range(1_001))
    body = f'{{"query": "{MANY}", "variables": {{"ids": [{items}, {"x" * 200_000}]}}}}'
    reply = await request(gateway_url, data=body.encode())
    assert reply.status == 400
    assert reply.body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$ids holds more than 1000 items" in reply.body["errors"][0]["message"]


async def test_a_large_body_with_lists_within_the_limit_is_served(gateway_url: str) -> None:
    """1,000 ids in a 100 KB body: read by the scan, decoded, run (unknown ids answer null)."""
    ids = [f"nobody-{n:04}" for n in range(1_000)]
    notes = ["a, ] b " + "x" * 100] * 600  # a variable the operation does not declare
    body = {"query": MANY, "variables": {"ids": ids, "notes": notes}}
    sent = orjson.dumps(body, option=orjson.OPT_INDENT_2)
    assert len(sent) > 64 * 1024
    reply = await request(gateway_url, data=sent)
    assert reply.status == 200, reply.body
    assert reply.body["data"]["customers"] == [None] * 1_000


async def test_a_large_malformed_body_is_still_told_why_it_is_not_json(gateway_url: str) -> None:
    body = b'{"query": "{ __typename }", "variables": {"ids": ["1", "2"' + b" " * 70_000
    reply = await request(gateway_url, data=body)
    assert reply.status == 400
    assert reply.body["errors"][0]["message"].startswith("Unable to parse request body as JSON")


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ({"variables": {"ids": list(range(4))}}, "ids"),
        ({"variables": {"a": [1, 2], "b": ["x"] * 4}}, "b"),
        ({"query": "[1,2,3,4,5]", "variables": {"ids": [1, 2, 3]}}, None),
        ({"variables": {"ids": ["[,", "],", '"', "\\"]}}, "ids"),
        ({"variables": {"ids": [[1, 2, 3, 4, 5]]}}, None),
        ({"variables": {"input": {"ids": [1, 2, 3, 4, 5]}}}, None),
        ({"extensions": {"ids": [1, 2, 3, 4, 5]}, "variables": {}}, None),
        ({"variables": {"ids": []}}, None),
    ],
)
def test_only_a_variable_that_is_a_list_of_more_items_is_over_long(
    body: dict[str, object], found: str | None
) -> None:
    assert over_long_variable(orjson.dumps(body, option=orjson.OPT_INDENT_2), 3) == found


@pytest.mark.parametrize(
    "text", [b"", b"[1, 2]", b"\xff\xfe", b'{"variables": [1, 2, 3, 4]}', b"{"]
)
def test_what_is_not_a_request_object_is_left_to_the_decoder(text: bytes) -> None:
    assert over_long_variable(text, 3) is None
