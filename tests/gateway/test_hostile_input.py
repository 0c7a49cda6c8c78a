"""Hostile or broken requests get a 4xx naming the problem, fast, and the server keeps serving.

Each case is something plain Strawberry answers with a bare 500, a hang or a
huge amount of work; each must cost the client a quick 4xx and nobody else anything.
"""

from __future__ import annotations

import orjson
import pytest
from graphql import get_introspection_query

from tests.gateway.wire import assert_still_serving, post_query, request

INTROSPECTION_100 = (
    '{ __type(name: "Customer") { '
    + "fields { type { ofType { " * 33
    + "name"
    + " } } }" * 33
    + " } }"
)
_FULL = get_introspection_query()
_QUERY, _FRAGMENTS = _FULL[: _FULL.index("fragment ")], _FULL[_FULL.index("fragment ") :]
FULL_INTROSPECTION_FRAGMENT = (
    "fragment S on __Schema "
    + _QUERY.split("__schema", 1)[1].rstrip().removesuffix("}").rstrip().removesuffix("}")
    + "} "
    + _FRAGMENTS
)
"""graphql-core's full introspection (GraphiQL's) as a fragment on ``__Schema``, with its own."""

OF_TYPE_CHAIN_100 = (
    '{ __type(name: "Customer") { ' + "ofType { " * 100 + "name" + " }" * 100 + " } }"
)


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        pytest.param(b"null", 400, "must be a JSON object, not null", id="null"),
        pytest.param(b'"str"', 400, "must be a JSON object, not a string", id="string"),
        pytest.param(b"42", 400, "must be a JSON object, not a number", id="number"),
        pytest.param(b"[1]", 400, "Batching is off", id="list"),
        pytest.param(b"", 400, "body is empty", id="empty"),
        pytest.param(b'{"query": "{ \xff\xfe }"}', 400, "not valid UTF-8", id="invalid-utf8"),
        pytest.param(b'{"query": ', 400, "Unable to parse request body as JSON", id="truncated"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, 400, "depth limit", id="json-100k-deep"),
        pytest.param(
            b'{"query": "{ __typename }", "variables": '
            + b'{"a": ' * 100_000
            + b"1"
            + b"}" * 100_001,
            400,
            "depth limit",
            id="variables-100k-deep",
        ),
        pytest.param(b'{"query": ' + b"9" * 5_000 + b"}", 400, "JSON", id="huge-integer"),
        pytest.param(
            b'{"query": 123456789012345678901234567890}',
            400,
            "`query` must be a string",
            id="big-integer-query",
        ),
        pytest.param(
            b'{"query": "{ __typename }", "variables": [1]}',
            400,
            "`variables` must be an object",
            id="variables-list",
        ),
        pytest.param(
            b'{"query": "{ __typename }", "variables": "x"}',
            400,
            "`variables` must be an object",
            id="variables-string",
        ),
        pytest.param(
            b'{"query": "{ __typename }", "operationName": 5}',
            400,
            "`operationName` must be a string",
            id="operation-name-number",
        ),
        pytest.param(b"{}", 400, "No GraphQL query", id="no-query"),
        pytest.param(
            orjson.dumps([{"query": "{ __typename }"}] * 10_000),
            400,
            "Batching is off",
            id="batch-of-10000",
        ),
    ],
)
async def test_malformed_body_is_a_named_400(
    gateway_url: str, body: bytes, status: int, says: str
) -> None:
    reply = await request(gateway_url, data=body)
    assert reply.status == status, reply.body
    assert says in reply.message
    assert reply.codes == ["BAD_REQUEST"]
    assert "data" not in reply.body
    await assert_still_serving(gateway_url)


@pytest.mark.parametrize(
    ("query", "variables", "says", "code"),
    [
        pytest.param(
            "{" + " customer(id: 1) {" * 100 + " id" + " }" * 100 + " }",
            None,
            "exceeds maximum operation depth of 15",
            "GRAPHQL_VALIDATION_FAILED",
            id="100-levels-deep",
        ),
        pytest.param(
            "{" + "a{" * 5_000 + "}" * 5_000 + "}",
            None,
            "Syntax Error",
            "GRAPHQL_PARSE_FAILED",
            id="5000-levels-deep",
        ),
        pytest.param(
            "{ " + " ".join(f"a{i}: __typename" for i in range(3_000)) + " }",
            None,
            "more than 5000 tokens",
            "GRAPHQL_PARSE_FAILED",
            id="3000-aliases",
        ),
        pytest.param(
            "{ " + " ".join(f"a{i}: __typename" for i in range(10_000)) + " }",
            None,
            "this server reads at most 64000",
            "QUERY_TOO_LARGE",
            id="10000-aliases",
        ),
        pytest.param(
            "query { ...A } fragment A on Query { "
            + " ".join(f"a{i}: __typename" for i in range(60))
            + " }",
            None,
            "aliases found",
            "GRAPHQL_VALIDATION_FAILED",
            id="60-aliases-in-a-fragment",
        ),
        pytest.param(
            INTROSPECTION_100,
            None,
            "introspection",
            "GRAPHQL_VALIDATION_FAILED",
            id="introspection-100-levels",
        ),
        pytest.param(
            OF_TYPE_CHAIN_100,
            None,
            "Introspection query is 102 fields deep; the limit is 20",
            "INTROSPECTION_TOO_DEEP",
            id="introspection-ofType-chain",
        ),
        pytest.param(
            'query Deep { ...T } fragment T on Query { __type(name: "Customer") { ...F } } '
            "fragment F on __Type { " + "ofType { " * 30 + "name" + " }" * 30 + " }",
            None,
            "Introspection query is 32 fields deep",
            "INTROSPECTION_TOO_DEEP",
            id="introspection-depth-hidden-in-fragments",
        ),
        pytest.param(
            " ".join(f"a{i}: __schema {{ ...S }}" for i in range(19)).join(("{ ", " } "))
            + FULL_INTROSPECTION_FRAGMENT,
            None,
            "selects __schema/__type 19 times; the limit is 2",
            "INTROSPECTION_TOO_WIDE",
            id="19-full-introspections-2-5-kb",
        ),
        pytest.param(
            "{ ...Q ...Q } fragment Q on Query { ...P ...P } "
            'fragment P on Query { __type(name: "Customer") { name } }',
            None,
            "selects __schema/__type 4 times",
            "INTROSPECTION_TOO_WIDE",
            id="introspection-width-hidden-in-fragments",
        ),
        pytest.param(
            '{ customer(id: "C-10001") { shoeSize } }',
            None,
            "shoeSize",
            "GRAPHQL_VALIDATION_FAILED",
            id="unknown-field",
        ),
        pytest.param(
            "query($id: ID) { customer(id: $id) { id } }",
            {"id": {"nested": True}},
            "Variable '$id' has invalid value",
            "BAD_USER_INPUT",
            id="wrong-variable-type",
        ),
        pytest.param(
            'query($n: Int) { customer(id: "C-10001") { orders(limit: $n) { id } } }',
            {"n": 2**40},
            "Int cannot represent non 32-bit signed integer",
            "BAD_USER_INPUT",
            id="huge-int-variable",
        ),
    ],
)
async def test_hostile_query_is_a_named_400(
    gateway_url: str, query: str, variables: object, says: str, code: str
) -> None:
    reply = await post_query(gateway_url, query, variables)
    assert reply.status == 400, reply.body
    assert says.lower() in reply.message.lower()
    assert code in reply.codes
    assert "data" not in reply.body
    await assert_still_serving(gateway_url)


async def test_full_introspection_as_graphiql_sends_it_still_works(gateway_url: str) -> None:
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    reply = await post_query(gateway_url, query)
    assert reply.status == 200, reply.message
    assert reply.body["data"]["__schema"]["queryType"]["name"] == "Query"
