"""Compiled plans answer exactly what Strawberry on graphql-core answers, errors included.

Seeded random operations over the real schema (``tests.schema.operations``) run
over stand-in sources that fail deterministically per (record kind, key)
(``tests.schema.failing_sources``), once through Strawberry with graphql-core's
executor alone and once through the execution engine. A client compares the
JSON it gets, so the test does too: ``json.dumps`` of data and formatted errors,
byte for byte, errors in order. The engine must not ask a source for a key
graphql-core did not ask for (work abandoned by a nulled subtree must not reach
a source), and must leave no more behind in the log than graphql-core does: no
"Future exception was never retrieved", no "coroutine ... was never awaited".

The random run is ``CASES`` operations (500; about 10 s of CPU, 20-30 s on a
loaded 2-core box); ``C360_DIFFERENTIAL_CASES=20000`` runs more,
``C360_DIFFERENTIAL_SEED`` another seed. One test per difference found pins each
by name. No difference is tolerated: the sources answer in loop turns, never in
wall-clock time, so the order in which errors arrive is the same on any machine,
and the engine must start each lookup in the turn graphql-core starts it (the
fields of an object with two or more async fields begin a turn later, as tasks).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import random
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import strawberry
from graphql import build_schema as graphql_schema

from schema import build_schema
from schema.context import Context
from schema.execution import ExecutionEngine
from tests.schema.failing_sources import KEYS, MODES, NOW, FailingLoaders, Key
from tests.schema.operations import Operation, random_operation

CASES = int(os.environ.get("C360_DIFFERENTIAL_CASES", "500"))
SEED = int(os.environ.get("C360_DIFFERENTIAL_SEED", "15"))
SETTLE_TICKS = 60
"""Loop turns after an answer in which abandoned work may still run (the slowest source is 40)."""

Execute = Callable[[str, dict[str, Any], str | None, Context], Awaitable[Any]]


CORE = build_schema(engine=None)
"""Strawberry with graphql-core's executor and nothing of ours."""
ENGINE = build_schema(engine=ExecutionEngine())
"""As the gateway runs operations: compiled plans, else the plain-data executor."""


def _executor(schema: strawberry.Schema) -> Execute:
    async def execute(text: str, variables: Any, name: str | None, context: Context) -> Any:
        return await schema.execute(
            text, variable_values=variables, context_value=context, operation_name=name
        )

    return execute


@dataclass(slots=True)
class Seen:
    """What a client and an operator see of one execution."""

    answer: str
    calls: list[Key]
    leftovers: list[str]


@contextmanager
def _quiet_strawberry() -> Iterator[None]:
    """Strawberry logs every field error with its traceback; thousands of them cost seconds."""
    logger = logging.getLogger("strawberry.execution")
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was


async def _run(execute: Execute, op: Operation, faults: dict[Key, str]) -> Seen:
    loop = asyncio.get_running_loop()
    leftovers: list[str] = []
    handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, ctx: leftovers.append(str(ctx.get("message"))))
    loaders = FailingLoaders(faults)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            context = Context(loaders=loaders, now=NOW, request_id="differential")  # type: ignore[arg-type]
            result = await execute(op.text, dict(op.variables), op.operation_name, context)
            answer = json.dumps(
                {
                    "data": result.data,
                    "errors": [e.formatted for e in result.errors or ()],
                }
            )
            for _ in range(SETTLE_TICKS):
                await asyncio.sleep(0)
            calls = sorted(set(loaders.calls))
            del result, context, loaders  # and with them every answer nobody read
            gc.collect()
        leftovers += [str(w.message) for w in caught]
    finally:
        loop.set_exception_handler(handler)
    return Seen(answer, calls, leftovers)


def random_faults(rng: random.Random) -> dict[Key, str]:
    """Each known key answers normally (a tick) or in one of the ways sources misbehave."""
    rate = rng.choice([0.0, 0.2, 0.5])
    return {key: rng.choice(MODES) for key in KEYS if rng.random() < rate}


async def both(op: Operation, faults: dict[Key, str]) -> tuple[Seen, Seen]:
    with _quiet_strawberry():
        return await _run(_executor(CORE), op, faults), await _run(_executor(ENGINE), op, faults)


SCHEMA = graphql_schema(CORE.as_str())


def _cases(count: int, seed: int) -> Iterator[tuple[int, Operation, dict[Key, str]]]:
    rng = random.Random(seed)
    for index in range(count):
        yield index, random_operation(rng, SCHEMA), random_faults(rng)


def _report(index: int, op: Operation, faults: dict[Key, str], core: Seen, plan: Seen) -> str:
    return (
        f"case {index}: {op.text}\nvariables: {op.variables}\nfaults: {faults}\n"
        f"graphql-core: {core.answer}\nengine:       {plan.answer}\n"
        f"calls core/engine: {core.calls} / {plan.calls}\nleft behind: {plan.leftovers}"
    )


def differs(core: Seen, plan: Seen) -> bool:
    """Another answer, a source call graphql-core did not make, or more left in the log.

    The engine may make fewer calls: graphql-core starts every sibling of a
    failing field before it notices the failure, the engine need not. A lookup
    that raises while a resolver queues several leaves the ones queued before it
    unread on both sides (that is the resolver's doing, not the executor's).
    """
    return (
        core.answer != plan.answer
        or not set(plan.calls) <= set(core.calls)
        or len(plan.leftovers) > len(core.leftovers)
    )


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """Each case's garbage collection looks only at what the case made (10x faster).

    Whatever survived a collection is frozen out of the next ones (``freeze_heap``);
    the heap is given back at the end.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.mark.usefixtures("frozen_heap")
async def test_random_operations_answer_like_graphql_core() -> None:
    """``CASES`` seeded operations: same JSON, no other source calls, nothing left in the log."""
    differing: list[str] = []
    for index, op, faults in _cases(CASES, SEED):
        core, plan = await both(op, faults)
        assert '"path"' in core.answer or '"errors": []' in core.answer, op.text  # valid op
        if differs(core, plan):
            differing.append(_report(index, op, faults, core, plan))
        gc.freeze()
    assert not differing, f"{len(differing)} of {CASES} differ; first:\n" + "\n\n".join(
        differing[:3]
    )


# --- the differences found so far, one test each ------------------------------------------


async def _differential(text: str, faults: dict[Key, str] | None = None) -> tuple[Seen, Seen]:
    return await both(Operation(text, {}, None), faults or {})


async def test_a_field_merged_from_a_repeated_fragment_is_located_once_per_node() -> None:
    """The same fragment spread under two selections of one field: each node once in
    ``locations`` (graphql-core collects a fragment once per merged selection)."""
    core, plan = await _differential(
        '{ customer(id: "C-1") { ...Bits } customer(id: "C-1") { ...Bits } }'
        " fragment Bits on Customer { orders(limit: -1) { id } }"
    )
    assert plan.answer == core.answer
    assert core.answer.count('"line"') == 1  # one node, one location


async def test_an_error_before_the_first_wait_keeps_the_errors_of_its_siblings() -> None:
    """A non-null root field failing before any wait (an invalid id) nulls the whole
    answer; graphql-core has by then started every root field, and reports the errors
    its siblings raised before their own first wait, in order."""
    core, plan = await _differential(
        '{ customers(ids: [" "]) { id } customer(id: "C-1", email: "a@b.c") { id } }'
    )
    assert plan.answer == core.answer
    assert '"data": null' in core.answer and core.answer.count('"message"') == 2


async def test_a_failed_non_null_root_field_abandons_its_slow_siblings() -> None:
    """``customers`` fails after a tick: the answer is ``data: null`` at once. A slow
    sibling is not waited for, and its error (under the nulled root) is not reported."""
    faults = {
        ("customer", "id:C-9"): "fail_tick",
        ("weather", "location:41.00,-71.00"): "fail_slow",
    }
    core, plan = await _differential(
        '{ customers(ids: ["C-9"]) { id } customer(id: "C-1") { weather { source } } }', faults
    )
    assert plan.answer == core.answer
    assert core.answer.count('"message"') == 1


async def test_errors_keep_graphql_core_order_when_a_resolver_fails_on_a_settled_answer() -> None:
    """A customer already in the cache (a settled future) whose orders and tickets fail
    at once: graphql-core runs those two fields as tasks, after the next root field's
    first step, so the next root field's error comes first."""
    faults = {
        ("customer", "id:C-1"): "now",
        ("orders", "email:ada@example.com"): "failed",
        ("tickets", "email:ada@example.com"): "failed",
    }
    core, plan = await _differential(
        '{ customer(id: "C-1") { orders { id } tickets { id } } other: customer(id: " ") { id } }',
        faults,
    )
    assert plan.answer == core.answer
    assert core.answer.index("not a valid id") < core.answer.index("rejected")


async def test_abandoned_lookups_leave_nothing_in_the_log_and_call_no_other_source() -> None:
    """The answer is null (``customers`` failed) while a sibling still waits for a lookup
    that fails later: the wait is abandoned without "Future exception was never
    retrieved" and without calling a source graphql-core does not call."""
    faults = {
        ("customer", "id:C-9"): "fail_tick",
        ("orders", "email:ada@example.com"): "fail_slow",
        ("tickets", "email:ada@example.com"): "fail_slow",
    }
    core, plan = await _differential(
        '{ customers(ids: ["C-9"]) { id } customer(id: "C-1") { orders { id } tickets { id } } }',
        faults,
    )
    assert plan.answer == core.answer
    assert not plan.leftovers
    assert set(plan.calls) <= set(core.calls)


async def test_a_failed_root_field_leaves_no_coroutine_never_awaited() -> None:
    """``customers`` fails while the agent view has just handed its sections to tasks
    that have not begun: they are cancelled, and what they were given is closed
    (graphql-core itself leaves two resolvers never awaited here)."""
    core, plan = await _differential(
        '{ agentView(phone: "(212) 555-0104") { ...A ...A customer @skip(if: true) { id } }'
        ' customers(ids: ["C-4", "C-404", "C-1"]) { email ... { weather { source } } id } }'
        " fragment A on AgentView"
        " { health2: health { light reasons { light } } __typename recentMentions { url } }",
        {("customer", "id:C-1"): "raise"},
    )
    assert plan.answer == core.answer
    assert plan.leftovers == []


async def test_fields_graphql_core_starts_a_turn_later_are_not_started_before_a_cancel() -> None:
    """``customers`` fails at once (``C-3`` refused) while ``customer`` waits for its
    lookup; graphql-core would start the customer's two async fields only a turn after
    that answer, as tasks, and cancels first: their sources are not called, and the
    engine, starting them in the same turn, does not call them either."""
    faults = {("customer", "id:C-3"): "raise", ("customer", "id:C-2"): "slow"}
    core, plan = await _differential(
        '{ customer(id: "C-1") { webVisits(limit: 1) { pagesViewed } invoices { id } }'
        ' customers(ids: ["C-2", "C-1", "C-3"]) { id } }',
        faults,
    )
    assert plan.answer == core.answer
    assert '"data": null' in core.answer
    assert ("invoices", "email:ada@example.com") not in core.calls
    assert set(plan.calls) <= set(core.calls)


async def test_a_cancel_in_the_turn_a_started_field_waits_leaves_nothing_in_the_log() -> None:
    """``customers`` fails (the RFM cut points are refused) in the very turn in which
    fields started a turn later are waiting one more turn for answers already in (as
    graphql-core's tasks would): they are cancelled there, and what they would have
    read is read, so no more "never awaited" or "never retrieved" is left behind than
    graphql-core leaves."""
    faults = {
        ("customer", "id:C-2"): "slow",
        ("customer", "email:cy@example.com"): "raise",
        ("customer", "phone:+12125550102"): "failed",
        ("orders", "email:bob@example.com"): "fail_tick",
        ("rfm_cutpoints", "all:all"): "raise",
        ("social_mentions", "handle:@user1"): "tick",
        ("tickets", "email:ada@example.com"): "fail_tick",
        ("tickets", "email:bob@example.com"): "now",
    }
    text = (
        "query($ids: [ID!]!) { customers2: customers(ids: $ids) {"
        " tickets @include(if: true) { updatedAt1: updatedAt }"
        " tickets @include(if: true) { updatedAt1: updatedAt } }"
        ' customer(phone: "+1 212 555 0101") @include(if: true) {'
        " socialMentions { ...M ...M url postedAt1: postedAt }"
        " name name2: name name2: name rfm { totalSpend } }"
        " customers(ids: $ids) { segment { name name } } }"
        " fragment M on SocialMention"
        " { text1: text sentimentScore1: sentimentScore sentimentScore1: sentimentScore }"
    )
    core, plan = await both(Operation(text, {"ids": ["C-2", "C-3", "C-9"]}, None), faults)
    assert plan.answer == core.answer
    assert '"data": null' in core.answer
    assert len(plan.leftovers) <= len(core.leftovers), plan.leftovers  # graphql-core's own: 1
