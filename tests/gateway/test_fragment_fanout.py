"""A document whose fragments spread each other twice costs work linear in its text.

``fragment F1 on Customer { ...F0 ...F0 }`` up to ``F40`` is 40 definitions and
under 4 KB, but walked spread by spread it is 2^40 selections. graphql-core's own
validation rules visit each fragment once; a rule of the gateway's that follows
every spread without remembering the fragments it has measured (Strawberry's
``QueryDepthLimiter`` and ``MaxAliasesLimiter`` do) pins the event loop for ever:
no other request is answered and SIGINT does not stop the process.

No clock is read: the work is counted in Python calls (``sys.settrace``, also in
worker threads), bounded by a multiple of what graphql-core's own validation of
the same document costs, and stopped as soon as it passes that bound, so the test
never hangs. The first document also asks for an unknown field; the second is
valid GraphQL, but walked spread by spread (Strawberry's ``info.selected_fields``,
which resolve info and look-ahead read) it is 2^41 fields: the gateway's field
limit (``C360_MAX_FIELDS``) refuses both at the cost of validating them.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
from types import FrameType
from typing import Any

import pytest
import strawberry
from graphql import parse, validate

from gateway.extensions import gateway_extensions
from gateway.settings import Settings
from schema import build_schema
from schema.context import Context
from schema.execution import ExecutionEngine
from tests.schema.failing_sources import NOW, FailingLoaders

SPREADS = 40
"""2^40 selections when walked spread by spread."""
SLACK = 3
"""The gateway may cost this many times graphql-core's own validation (it costs 1.3x at 2)."""


class _OverBudget(Exception):
    pass


def fanout(levels: int) -> str:
    definitions = ["fragment F0 on Customer { id name }"] + [
        f"fragment F{n} on Customer {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, levels + 1)
    ]
    return " ".join(definitions) + f' {{ customer(id: "C-1") {{ ...F{levels} }} nope }}'


def count_calls(run: Any, budget: int) -> tuple[int, Any]:
    """Python calls ``run()`` makes (in this thread and threads it starts), at most ``budget``.

    Past the budget the call in progress raises (Strawberry may turn that into an
    error of the answer) and counting stops: the count is then ``budget + 1``.
    """
    calls = 0

    def tracer(_frame: FrameType, event: str, _arg: Any) -> None:
        nonlocal calls
        if event == "call" and calls <= budget:
            calls += 1
            if calls > budget:
                sys.settrace(None)
                raise _OverBudget
        return None

    sys.settrace(tracer)
    threading.settrace(tracer)
    try:
        result = run()
    except _OverBudget:
        result = None
    finally:
        sys.settrace(None)
        threading.settrace(None)
    if calls > budget:
        gc.collect()  # the stopped run's generators finish here, not in a later test
    return calls, result


def test_the_document_is_small_and_graphql_core_validates_it_in_linear_work() -> None:
    text = fanout(SPREADS)
    assert len(text) < 4096  # validated on the event loop, not in a worker thread
    small, _ = count_calls(lambda: validate(build_schema()._schema, parse(fanout(2))), 10**7)
    large, _ = count_calls(lambda: validate(build_schema()._schema, parse(text)), 10**7)
    assert large < small * SPREADS  # about 700 calls a definition


FANNED_OUT_FIELDS = 1 + 2 ** (SPREADS + 1)
"""``customer`` and, below it, F40's fields: F0 selects 2, each further fragment twice its
predecessor's."""


def _too_many_fields(count: int) -> str:
    return (
        f"'anonymous' selects {count:,} fields once its fragments are expanded; the limit is 5,000."
    )


def test_the_gateway_refuses_a_fanned_out_document_at_the_cost_of_validating_it() -> None:
    text = fanout(SPREADS)
    schema = build_schema(gateway_extensions(Settings()), engine=None)
    core, _ = count_calls(lambda: validate(schema._schema, parse(text)), 10**7)
    budget = SLACK * core
    calls, result = count_calls(lambda: asyncio.run(schema.execute(text)), budget)
    assert calls <= budget, f"over {budget} Python calls (graphql-core validates it in {core})"
    assert result is not None and result.data is None
    assert [e.message for e in result.errors] == [
        _too_many_fields(FANNED_OUT_FIELDS + 1),  # and nope
        "Cannot query field 'nope' on type 'Query'.",
    ]


def _valid_fanout(levels: int, root: str = 'customer(id: "C-1")') -> str:
    return fanout(levels).replace(" nope }", " }").replace('customer(id: "C-1")', root)


def _executed(schema: strawberry.Schema, text: str) -> Any:
    async def run() -> Any:
        context = Context(loaders=FailingLoaders({}), now=NOW, request_id="fanout")  # type: ignore[arg-type]
        return await schema.execute(text, context_value=context)

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("root", "engine"),
    [
        ('customer(id: "C-1")', True),
        ('customers(ids: ["C-1"])', True),
        ('customers(ids: ["C-1"])', False),
    ],
    ids=["customer-engine", "customers-engine", "customers-graphql-core"],
)
def test_a_valid_fanned_out_document_is_refused_before_anything_walks_its_selections(
    root: str, engine: bool
) -> None:
    """Without the unknown field the document is valid GraphQL. graphql-core's executor
    would merge the spreads, but Strawberry's ``info.selected_fields`` (resolve info built
    by the engine, the look-ahead of ``customers(ids:)``) expands every spread anew: 2^40
    selections. The field limit refuses it at the cost of validating it, on every path."""
    text = _valid_fanout(SPREADS, root)
    schema = build_schema(
        gateway_extensions(Settings()), engine=ExecutionEngine() if engine else None
    )
    core, _ = count_calls(lambda: validate(schema._schema, parse(text)), 10**7)
    budget = SLACK * core
    calls, result = count_calls(lambda: _executed(schema, text), budget)
    assert calls <= budget, f"over {budget} Python calls (graphql-core validates it in {core})"
    assert result.data is None
    assert [e.message for e in result.errors] == [_too_many_fields(FANNED_OUT_FIELDS)]
    assert result.errors[0].extensions == {"code": "TOO_MANY_FIELDS"}


def test_a_wide_but_fair_document_passes_the_field_limit() -> None:
    """Fifty aliased customers with a 90-field fragment: 4,550 fields, under the limit."""
    fields = " ".join(f"f{n}: id" for n in range(89))
    text = (
        "{ "
        + " ".join(f'c{n}: customer(id: "C-{n}") {{ ...Wide }}' for n in range(50))
        + f" }} fragment Wide on Customer {{ name {fields} }}"
    )
    schema = build_schema(gateway_extensions(Settings(max_aliases=10_000)), engine=None)
    errors = validate(schema._schema, parse(text), [])
    assert errors == []
    result = _executed(schema, text)
    assert not any(e.extensions == {"code": "TOO_MANY_FIELDS"} for e in result.errors or ())
