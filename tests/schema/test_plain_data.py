"""The plain-data fast path answers exactly what graphql-core's generic execution answers."""

from __future__ import annotations

import pytest
import strawberry

from resolvers.system.records import Order
from schema import build_schema
from schema.context import Context
from schema.execution import PlainDataExecutionContext
from schema.query import Query
from tests.fake_loaders import CUSTOMER_QUERY, NOW, FakeLoaders


def schema_with(plain_data: bool) -> strawberry.Schema:
    """The plain-data executor alone (no plans), or graphql-core's executor alone."""
    if not plain_data:
        return build_schema()
    return strawberry.Schema(query=Query, execution_context_class=PlainDataExecutionContext)


@pytest.mark.parametrize("orders", [0, 1, 250])
async def test_fast_path_answers_like_the_generic_executor(orders: int) -> None:
    results = []
    for plain_data in (True, False):
        schema = schema_with(plain_data)
        context = Context(loaders=FakeLoaders(orders), now=NOW, request_id="t")  # type: ignore[arg-type]
        result = await schema.execute(
            CUSTOMER_QUERY, variable_values={"id": "C-1", "n": 3}, context_value=context
        )
        assert result.errors is None
        results.append(result.data)
    assert results[0] == results[1]
    assert len(results[0]["customer"]["orders"]) == orders  # type: ignore[index]


async def test_a_null_in_a_non_null_field_is_reported_the_generic_way() -> None:
    loaders = FakeLoaders(2)
    broken = Order("orders", "SO-X", NOW, 1.0)
    object.__setattr__(broken, "total", None)
    loaders.records["orders"] = [broken]
    answers = []
    for plain_data in (True, False):
        schema = schema_with(plain_data)
        context = Context(loaders=loaders, now=NOW, request_id="t")  # type: ignore[arg-type]
        result = await schema.execute(
            '{ customer(id: "C-1") { orders { id total } } }', context_value=context
        )
        answers.append((result.data, [(e.message, e.path) for e in result.errors or []]))
    assert answers[0] == answers[1]
    assert answers[0][0] == {"customer": {"orders": None}}
    assert "non-nullable field Order.total" in answers[0][1][0][0]
