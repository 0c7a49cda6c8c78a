"""GraphQL names are Strawberry's own, converted once per process rather than on every call."""

from __future__ import annotations

import pytest
import strawberry
import strawberry.schema.name_converter as strawberry_names

from schema import build_schema
from schema.context import Context
from schema.mutation import Mutation
from schema.query import Query
from tests.fake_loaders import CUSTOMER_QUERY, NOW, FakeLoaders


def test_the_schema_reads_as_with_strawberrys_default_names() -> None:
    assert build_schema().as_str() == strawberry.Schema(query=Query, mutation=Mutation).as_str()


async def test_resolver_calls_convert_no_argument_name_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = build_schema()
    conversions: list[str] = []
    convert = strawberry_names.to_camel_case

    def counted(name: str) -> str:
        conversions.append(name)
        return convert(name)

    monkeypatch.setattr(strawberry_names, "to_camel_case", counted)
    for _ in range(2):
        context = Context(loaders=FakeLoaders(5), now=NOW, request_id="t")  # type: ignore[arg-type]
        result = await schema.execute(
            CUSTOMER_QUERY, variable_values={"id": "C-1", "n": 2}, context_value=context
        )
        assert result.errors is None
    assert conversions == []
