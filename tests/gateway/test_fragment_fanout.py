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
never hangs. The document also asks for an unknown field, so it fails validation
and nothing is executed.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from types import FrameType
from typing import Any

from graphql import parse, validate

from gateway.extensions import gateway_extensions
from gateway.settings import Settings
from schema import build_schema

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
    return calls, result


def test_the_document_is_small_and_graphql_core_validates_it_in_linear_work() -> None:
    text = fanout(SPREADS)
    assert len(text) < 4096  # validated on the event loop, not in a worker thread
    small, _ = count_calls(lambda: validate(build_schema()._schema, parse(fanout(2))), 10**7)
    large, _ = count_calls(lambda: validate(build_schema()._schema, parse(text)), 10**7)
    assert large < small * SPREADS  # about 700 calls a definition


def test_the_gateway_answers_a_fanned_out_document_at_the_cost_of_validating_it() -> None:
    text = fanout(SPREADS)
    schema = build_schema(gateway_extensions(Settings()), engine=None)
    core, _ = count_calls(lambda: validate(schema._schema, parse(text)), 10**7)
    budget = SLACK * core
    calls, result = count_calls(lambda: asyncio.run(schema.execute(text)), budget)
    assert calls <= budget, f"over {budget} Python calls (graphql-core validates it in {core})"
    assert result is not None and result.data is None
    assert [e.message for e in result.errors] == ["Cannot query field 'nope' on type 'Query'."]
