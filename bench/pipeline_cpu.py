"""CPU per request of Strawberry's extension pipeline around the engine, in process.

Answers "what does the gateway's pipeline (limits, caches, operation choice,
demand control, masking, metrics, the engine's extension) cost per request, on
top of the work of the answer itself": the real schema, the gateway's real
extension list (``gateway.extensions.gateway_extensions`` with default
settings) and the real engine, over the stand-in sources of
``bench.resolver_cpu`` (one small wait per batch, records built once). Each
request goes through ``schema.execute`` as the view calls it, so parsing and
validation come from the caches, as for a repeated query in production.

Rows, for one customer's id and name (where the pipeline weighs most), the
agent's saved query and a 50-customer list:

- ``engine + gateway extensions``: what the gateway runs (its checks composed
  into one extension, ``gateway.pipeline``);
- ``engine + extensions one by one``: the same checks as separate Strawberry
  extensions (``gateway_extension_list``, how the gateway ran them before);
- ``engine + parse/validate caches``: the pipeline with only the two caches
  (Strawberry's own per-request cost, and no gateway checks);
- ``generic + gateway extensions``: graphql-core's executor (``C360_COMPILED=false``);
- ``plan alone``: the compiled plan called directly, no Strawberry at all
  (the floor the pipeline adds to).

Run: ``python -m bench.pipeline_cpu [--rounds N] [--ops N] [--profile ROW]``.
Prints CPU microseconds per request (``time.process_time``): the best round
(least disturbed on a shared machine) and the median. ``--profile`` prints the
top of a cProfile of the named row's small query instead. Not asserted anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import parse

from bench.resolver_cpu import CASES, NOW, Case, stand_in_runtime
from gateway.document_cache import ParsedDocuments, ValidatedDocuments
from gateway.extensions import gateway_extension_list, gateway_extensions
from gateway.settings import Settings
from resolvers.system.loaders import SystemLoaders
from resolvers.system.runtime import SourceRuntime
from schema import build_schema
from schema.context import Context
from schema.execution import ExecutionEngine, compile_operation

Run = Callable[[Context, dict[str, Any]], Awaitable[tuple[Any, list[Any]]]]

SMALL = Case(
    "customer(id:) { id name }",
    "query($id: ID!) { customer(id: $id) { id name } }",
    {"id": "C-7"},
)
PIPELINE_CASES = (SMALL, *CASES)


def _through_schema(extensions: list[Any], *, engine: bool, query: str) -> Run:
    schema = build_schema(extensions, engine=ExecutionEngine() if engine else None)

    async def run(context: Context, variables: dict[str, Any]) -> tuple[Any, list[Any]]:
        result = await schema.execute(query, variable_values=variables, context_value=context)
        return result.data, list(result.errors or [])

    return run


def _plan_alone(query: str) -> Run:
    plan = compile_operation(build_schema(), parse(query))

    async def run(context: Context, variables: dict[str, Any]) -> tuple[Any, list[Any]]:
        answer = await plan.execute(context, variables)
        return answer.data, list(answer.errors)

    return run


def rows(query: str, *, generic: bool = True) -> dict[str, Run]:
    """Each way of running ``query`` this script compares, by row name."""
    settings = Settings()
    found = {
        "engine + gateway extensions": _through_schema(
            gateway_extensions(settings), engine=True, query=query
        ),
        "engine + extensions one by one": _through_schema(
            gateway_extension_list(settings), engine=True, query=query
        ),
        "engine + parse/validate caches": _through_schema(
            [ParsedDocuments, ValidatedDocuments], engine=True, query=query
        ),
        "generic + gateway extensions": _through_schema(
            gateway_extensions(settings), engine=False, query=query
        ),
        "plan alone": _plan_alone(query),
    }
    if not generic:
        del found["generic + gateway extensions"]
    return found


def _context(runtime: SourceRuntime) -> Context:
    deadline = asyncio.get_running_loop().time() + 60
    return Context(loaders=SystemLoaders(runtime, deadline), now=NOW, request_id="bench")


async def measure(runtime: SourceRuntime, run: Run, case: Case, ops: int) -> float:
    """CPU µs per request over ``ops`` requests, each with fresh per-request loaders."""
    started = time.process_time_ns()
    for _ in range(ops):
        data, errors = await run(_context(runtime), case.variables)
        if errors or data is None:
            raise RuntimeError(f"{case.name}: {errors}")
    return (time.process_time_ns() - started) / ops / 1000


async def main(rounds: int, ops: int, *, generic: bool) -> None:
    runtime = stand_in_runtime()
    print(f"CPU µs per request, best / median of {rounds} rounds of {ops}; stand-in sources")
    print(f"  {'operation':<52} {'row':<31} {'best':>7} / {'median':>7}")
    for case in PIPELINE_CASES:
        runs = rows(case.query, generic=generic)
        answers = {name: await run(_context(runtime), case.variables) for name, run in runs.items()}
        if len({repr(a) for a in answers.values()}) != 1:
            raise RuntimeError(f"{case.name}: the rows disagree")
        for run in runs.values():
            await measure(runtime, run, case, ops // 4 or 1)  # warm up (caches, plans)
        figures: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(rounds):  # rows interleaved: a busy moment hits every row alike
            for name, run in runs.items():
                figures[name].append(await measure(runtime, run, case, ops))
        for name, values in figures.items():
            best, median = min(values), statistics.median(values)
            print(f"  {case.name:<52} {name:<31} {best:7.0f} / {median:7.0f}")


async def profile(row: str, ops: int) -> None:
    runtime = stand_in_runtime()
    case = SMALL
    run = rows(case.query)[row]
    await measure(runtime, run, case, ops)
    profiler = cProfile.Profile()
    profiler.enable()
    await measure(runtime, run, case, ops)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(40)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--ops", type=int, default=100)
    parser.add_argument("--profile", metavar="ROW", help="profile this row's small query")
    parser.add_argument(
        "--no-generic", action="store_true", help="leave out the (slow) generic executor's row"
    )
    args = parser.parse_args()
    if args.profile:
        asyncio.run(profile(args.profile, args.ops))
    else:
        asyncio.run(main(args.rounds, args.ops, generic=not args.no_generic))
