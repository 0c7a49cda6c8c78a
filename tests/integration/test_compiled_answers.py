"""Compiled plans answer users exactly as graphql-core does, over the real demo sources.

Two gateways side by side: one with the execution engine (the default), one
with ``C360_COMPILED=false`` (Strawberry and graphql-core's executor alone).
Each query goes twice to each (a cached plan and a parse-cache hit must not
change anything); the second answers must be identical, byte for byte once
decoded, errors and all. The engine's gateway must really have run plans: no
fallback to the generic executor is counted meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from graphql import GraphQLObjectType, build_schema, get_named_type, is_non_null_type

from gateway.settings import DEMO_SOURCES
from tests.demo_harness import DemoSources
from tests.gateway.wire import post_query
from tests.integration.tuning import tuned_sources
from tests.integration.world import contact, planted

SOURCE_NAMES = tuple(yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))["sources"])

AGENT = (Path(__file__).resolve().parents[2] / "queries" / "agent.graphql").read_text()

LIST = """
query List($ids: [ID!]!, $n: Int) {
  customers(ids: $ids) {
    __typename id name
    orders(limit: $n) { id placedAt total status lines { sku quantity unitPrice } }
    invoices { id amount status dueOn }
    tickets(status: "open") { id subject status }
    rfm { recency frequency monetary }
    segment { name }
    health { light reasons { code message } }
    weather { temperatureC description }
  }
}
"""

ONE = """
query One($email: String, $since: DateTime) {
  customer(email: $email) {
    ...Who
    identities { system recordId matchedOn }
    recent: webVisits(since: $since, limit: 2) { id startedAt cartStatus }
    socialMentions { network sentiment }
    again: name @include(if: true)
    hidden: email @skip(if: true)
  }
}
fragment Who on Customer { id firstName lastName address { street city postalCode } }
"""


SCORES = """
query Scores($phone: String) {
  customer(phone: $phone) {
    name
    segment { name }
    rfm { recency frequency monetary }
    health { light reasons { code } }
    orders(limit: 2) { id total }
    tickets { id status }
    weather { description }
  }
}
"""
"""Fields that each wait on their own and share the same loaders' futures (no prefetch)."""


def every_field(type_name: str, depth: int = 3) -> str:
    """A selection of every field of ``type_name`` (arguments left to their defaults)."""
    schema = build_schema((Path(__file__).resolve().parents[2] / "schema.graphql").read_text())
    object_type = schema.get_type(type_name)
    assert isinstance(object_type, GraphQLObjectType)
    parts = []
    for name, field in object_type.fields.items():
        if any(is_non_null_type(arg.type) for arg in field.args.values()):
            continue
        named = get_named_type(field.type)
        if isinstance(named, GraphQLObjectType):
            if depth > 1:
                parts.append(f"{name} {every_field(named.name, depth - 1)}")
        else:
            parts.append(name)
    return "{ " + " ".join(parts) + " }"


def cases() -> list[tuple[str, str, dict[str, Any]]]:
    red = contact(planted("red_health").crm_ids[0])
    champion = planted("champion").crm_ids[0]
    return [
        ("agent, red customer", AGENT, {"phone": red["phone"]}),
        ("agent, unknown caller", AGENT, {"phone": "+1 555 000 0000"}),
        ("scores of one customer", SCORES, {"phone": red["phone"]}),
        (
            "every field of one customer",
            f"query($id: ID) {{ customer(id: $id) {every_field('Customer')} }}",
            {"id": champion},
        ),
        (
            "every field of the agent view",
            f"query($p: String!) {{ agentView(phone: $p) {every_field('AgentView')} }}",
            {"p": contact(planted("abandoned_cart_today").crm_ids[0])["phone"]},
        ),
        (
            "every field of a list",
            f"query($ids: [ID!]!) {{ customers(ids: $ids) {every_field('Customer')} }}",
            {"ids": [champion, *planted("negative_mention").crm_ids]},
        ),
        (
            "list with an unknown id",
            LIST,
            {"ids": [champion, "C-404", *planted("loses_money").crm_ids], "n": 3},
        ),
        (
            "one by email",
            ONE,
            {"email": contact(champion)["email"].upper(), "since": "2020-01-01T00:00:00Z"},
        ),
        ("two lookups at once", '{ customer(id: "C-10001", email: "a@b.c") { id } }', {}),
        ("negative limit", '{ customer(id: "C-10001") { name orders(limit: -1) { id } } }', {}),
        ("bad variable", LIST, {"ids": "C-10001", "n": "three"}),
    ]


async def fallbacks(url: str) -> float:
    """``c360_execution_fallbacks_total`` over every reason (process-wide, as scraped)."""
    async with aiohttp.ClientSession() as session:
        async with session.get(url + "/metrics") as resp:
            text = await resp.text()
    prefix = "c360_execution_fallbacks_total{"
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix)
    )


@pytest.fixture
def patient_gateway(start_gateway: Callable[..., str], tmp_path: Path) -> Callable[..., str]:
    """Gateways that wait for slow sources: what is compared is the answer, not its speed.

    On a loaded machine a source past its 1.5 s timeout on one gateway and not the
    other made the two answers differ by a SOURCE_TIMEOUT (seen in full-suite runs).
    """
    sources = tuned_sources(tmp_path, **{name: {"timeout_ms": 20_000} for name in SOURCE_NAMES})

    def start(**overrides: Any) -> str:
        return start_gateway(sources_file=sources, request_deadline_ms=60_000, **overrides)

    return start


async def planned_answer(url: str, query: str, variables: dict[str, Any]) -> tuple[int, Any]:
    """The second answer of the engine's gateway, which must not have fallen back."""
    before = await fallbacks(url)
    answer = await second_answer(url, query, variables)
    assert await fallbacks(url) == before, "the engine ran this generically: nothing compared"
    return answer


async def second_answer(url: str, query: str, variables: dict[str, Any]) -> tuple[int, Any]:
    headers = {"x-request-id": "same-for-both"}
    await post_query(url, query, variables, headers=headers)
    reply = await post_query(url, query, variables, headers=headers)
    return reply.status, reply.body


@pytest.mark.parametrize("case", [c[0] for c in cases()])
async def test_compiled_and_generic_gateways_answer_alike(
    case: str, patient_gateway: Callable[..., str], demo: DemoSources
) -> None:
    _, query, variables = next(c for c in cases() if c[0] == case)
    compiled = await planned_answer(patient_gateway(), query, variables)
    generic = await second_answer(patient_gateway(compiled=False), query, variables)
    assert compiled == generic
    status, body = compiled
    assert status in {200, 400}
    assert body.get("data") or body.get("errors")


async def test_a_failing_source_costs_the_same_fields_on_both_paths(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    await demo.knobs("support", mode="error")
    phone = contact(planted("red_health").crm_ids[0])["phone"]
    compiled = await planned_answer(start_gateway(), AGENT, {"phone": phone})
    generic = await second_answer(start_gateway(compiled=False), AGENT, {"phone": phone})
    assert compiled == generic
    body = compiled[1]
    assert body["data"]["agentView"]["openTickets"] is None
    assert body["data"]["agentView"]["customer"]["name"]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"SOURCE_UNAVAILABLE"}


async def test_saved_view_answers_alike(
    patient_gateway: Callable[..., str], demo: DemoSources
) -> None:
    phone = contact(planted("abandoned_cart_today").crm_ids[0])["phone"]
    compiled_url = patient_gateway()
    before = await fallbacks(compiled_url)
    answers = []
    for url in (compiled_url, patient_gateway(compiled=False)):
        async with aiohttp.ClientSession() as session:
            async with session.get(url + "/views/agent", params={"phone": phone}) as resp:
                answers.append((resp.status, await resp.json()))
    assert await fallbacks(compiled_url) == before, "the saved view ran its plan"
    assert answers[0] == answers[1]
    assert answers[0][1]["data"]["agentView"]["webActivityToday"]
