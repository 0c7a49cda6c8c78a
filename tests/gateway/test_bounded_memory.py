"""What attacker-sized strings leave behind: nothing that a real query would not.

APQ keeps only texts that parsed and validated; the parse and validation caches
never keep a text over 64 KB; operation names in ``/metrics`` are cut to 64
characters and refused operations cannot use up the named series, so a real
name seen after a flood of junk still gets its own series. ``/metrics`` answers
at ``/metrics`` itself.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
from collections.abc import Callable
from typing import Any

import aiohttp

from gateway.document_cache import MAX_CACHED_TEXT, cached_bytes
from gateway.observability import MAX_OPERATION_NAME_LENGTH, MAX_OPERATION_NAMES
from schema.context import Context
from tests.demo_harness import DemoSources
from tests.gateway.wire import TIMEOUT, Reply, assert_still_serving, post_query, request


def apq_of(text: str) -> dict[str, Any]:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def metrics_page(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.get(url + "/metrics", allow_redirects=False) as resp:
            return resp.status, await resp.text()


async def assert_not_registered(url: str, text: str) -> None:
    reply = await request(url, json={"extensions": apq_of(text)})
    assert reply.codes == ["PERSISTED_QUERY_NOT_FOUND"], reply.body


async def test_an_unparsable_apq_text_is_never_registered(gateway_url: str) -> None:
    text = "{ customer(id: " + "x" * 1_000
    sent = await request(gateway_url, json={"query": text, "extensions": apq_of(text)})
    assert sent.status == 400 and sent.codes == ["GRAPHQL_PARSE_FAILED"]
    await assert_not_registered(gateway_url, text)


async def test_an_apq_text_refused_by_validation_is_never_registered(gateway_url: str) -> None:
    text = "{ payroll { salary } }"
    sent = await request(gateway_url, json={"query": text, "extensions": apq_of(text)})
    assert sent.status == 400 and sent.codes == ["GRAPHQL_VALIDATION_FAILED"]
    await assert_not_registered(gateway_url, text)


async def test_an_apq_text_that_ran_is_registered(gateway_url: str, demo: DemoSources) -> None:
    text = '{ customer(id: "C-10002") { id } }'
    sent = await request(gateway_url, json={"query": text, "extensions": apq_of(text)})
    assert sent.status == 200
    again = await request(gateway_url, json={"extensions": apq_of(text)})
    assert again.body == {"data": {"customer": {"id": "C-10002"}}}


async def test_a_query_text_over_the_limit_is_refused_before_parsing(gateway_url: str) -> None:
    name = "N" * 64_000
    reply = await post_query(gateway_url, f"query {name} {{ __typename }}")
    assert reply.status == 400 and reply.codes == ["QUERY_TOO_LARGE"]
    assert "at most 64000" in reply.message


async def test_a_text_over_64_kb_is_answered_but_not_cached(
    start_gateway: Callable[..., str],
) -> None:
    url = start_gateway(max_query_bytes=200_000)
    padded = "# " + "x" * MAX_CACHED_TEXT + "\nquery Padded { __typename }"
    before = cached_bytes()
    reply = await post_query(url, padded)
    assert reply.status == 200 and reply.body["data"] == {"__typename": "Query"}
    assert cached_bytes() == before
    small = await post_query(url, "query NotPadded { __typename __typename }")
    assert small.status == 200
    assert cached_bytes() > before


async def test_metrics_answers_at_its_own_path(gateway_url: str) -> None:
    status, page = await metrics_page(gateway_url)
    assert status == 200
    assert "c360_operations_total" in page


async def test_a_huge_operation_name_is_cut_in_the_metrics(gateway_url: str) -> None:
    name = "Huge" + "N" * 60_000
    reply = await post_query(gateway_url, f"query {name} {{ __typename }}")
    assert reply.status == 200
    _, page = await metrics_page(gateway_url)
    assert f'operation="{name[:MAX_OPERATION_NAME_LENGTH]}"' in page
    assert name[: MAX_OPERATION_NAME_LENGTH + 1] not in page
    assert len(page) < 1_000_000


async def test_refused_operations_do_not_lock_real_names_out_of_the_metrics(
    gateway_url: str,
) -> None:
    for n in range(MAX_OPERATION_NAMES + 20):
        refused: Reply = await post_query(gateway_url, f"query Junk{n} {{ payroll }}")
        assert refused.status == 400
    reply = await post_query(gateway_url, "query RealNameAfterTheJunk { __typename }")
    assert reply.status == 200
    _, page = await metrics_page(gateway_url)
    assert 'operation="RealNameAfterTheJunk"' in page
    assert 'operation="Junk1"' not in page
    assert 'operation="refused"' in page
    await assert_still_serving(gateway_url)


def sample(page: str, series: str) -> float:
    """A counter's value in a /metrics page (0 when the series is not there yet)."""
    for line in page.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


async def test_a_syntax_error_is_counted_as_a_refused_operation(gateway_url: str) -> None:
    refused = 'c360_operations_total{operation="refused",outcome="error"}'
    parse_failed = 'c360_graphql_errors_total{code="GRAPHQL_PARSE_FAILED"}'
    _, before = await metrics_page(gateway_url)
    for text in ("{ customer(id: ", "query Broken { __typename"):
        reply = await post_query(gateway_url, text)
        assert reply.status == 400 and reply.codes == ["GRAPHQL_PARSE_FAILED"]
    _, after = await metrics_page(gateway_url)
    assert sample(after, refused) - sample(before, refused) == 2
    assert sample(after, parse_failed) - sample(before, parse_failed) == 2


async def test_a_served_request_leaves_nothing_for_the_collector_to_free(
    gateway_url: str, demo: DemoSources
) -> None:
    """Its context, loaders and answers go when it ends, by reference counting alone.

    A reference cycle through the request (its state holding its own context)
    kept every answer, 7.5 MB ones too, until a full collection, which then
    walked them all while every request waited (measured: 770-910 ms pauses).
    """
    query = "query V($id: ID!) { customer(id: $id) { id name orders { id total } } }"
    gc.collect()
    gc.disable()
    try:
        before = contexts()  # other tests' (a fixture's, say): not this request's
        reply = await post_query(gateway_url, query, {"id": "C-10001"})
        assert reply.body["data"]["customer"]["orders"], reply.body
        for _ in range(100):  # the server's task may still be winding down
            if not contexts() - before:
                break
            await asyncio.sleep(0.01)
        assert not contexts() - before
    finally:
        gc.enable()


def contexts() -> set[int]:
    """The ids of the request contexts alive now (the collector sees every one)."""
    return {id(o) for o in gc.get_objects() if isinstance(o, Context)}
