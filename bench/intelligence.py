"""Request-path cost of ``rfm``, ``segment`` and ``nextBestOffer``, against two population sizes.

Answers "does scoring a customer cost more when the company has more customers?":
the real schema, per-request loaders and offer-outcome store (SQLite, in a
temporary directory) over the stand-in sources of ``bench.resolver_cpu``, whose
order system answers the population with N anonymous value rows (N = 1,000 and
100,000). Each population is turned into its ranked snapshot once per as-of
(the gateway's background task does this when it fits the models; it is timed
here separately), so a request ranks a customer with binary searches.

For 1 and for 100 customers it prints CPU microseconds per operation (best and
median round), the same query without the intelligence fields as the baseline
of the same run, and the large population's figure over the small one's: it
must stay near 1.0. Results go to ``bench/results/intelligence-latest.md``.

Run: ``flock /tmp/c360-bench.lock python -m bench.intelligence [--rounds N] [--ops N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from strawberry.extensions import ParserCache, ValidationCache

from bench.resolver_cpu import NOW, StandInConnector, stand_in_runtime
from resolvers.process.intelligence import Intelligence
from resolvers.process.population import population_of
from resolvers.system.loaders import SystemLoaders
from resolvers.system.records import RfmCutPoints
from resolvers.system.runtime import SourceRuntime
from schema import build_schema
from schema.context import Context
from sources.state_store import OfferOutcomeStore

RESULTS = Path(__file__).parent / "results" / "intelligence-latest.md"
POPULATIONS = (1_000, 100_000)
FIELDS = "id rfm { code populationSize } segment { name } nextBestOffer { offerId expectedValue }"
BASELINE_FIELDS = "id name orders { id total }"
ONE = "query($id: ID!) { customer(id: $id) { %s } }"
MANY = "query($ids: [ID!]!) { customers(ids: $ids) { %s } }"


def population(size: int, seed: int = 7) -> RfmCutPoints:
    """N customers' (recency, frequency, spend, tenure) rows, skewed like real order systems."""
    rng = random.Random(seed)
    rows = sorted(
        (
            float(rng.randint(0, 364)),
            float(1 + int(20 * rng.random() ** 3)),
            round(rng.lognormvariate(5, 1), 2),
            float(rng.randint(0, 364)),
        )
        for _ in range(size)
    )
    recency, frequency, spend, tenure = (tuple(column) for column in zip(*rows, strict=True))
    return RfmCutPoints(
        "orders",
        NOW,
        (),
        (),
        (),
        customers=size,
        window_days=365,
        compare_days=90,
        recency_days_values=recency,
        frequency_values=frequency,
        monetary_values=spend,
        tenure_days_values=tenure,
    )


class PopulationConnector(StandInConnector):
    """The stand-in order system, answering the population with ``rows``."""

    def __init__(self, source: str, serves: dict[str, str], rows: RfmCutPoints) -> None:
        super().__init__(source, serves)
        self._population = rows

    def _answer(self, entity: str, key: str) -> list[Any]:
        if self._serves[entity] == "rfm_cutpoints":
            return [self._population]
        return super()._answer(entity, key)


def runtime_with(rows: RfmCutPoints) -> SourceRuntime:
    runtime = stand_in_runtime()
    orders = runtime.connectors["orders"]
    assert isinstance(orders, StandInConnector)
    runtime.connectors["orders"] = PopulationConnector("orders", orders._serves, rows)
    return runtime


async def measure(
    runtime: SourceRuntime,
    intelligence: Intelligence,
    query: str,
    variables: dict[str, Any],
    ops: int,
) -> float:
    """CPU µs per operation over ``ops`` operations, each with fresh per-request loaders."""
    schema = SCHEMA
    loop = asyncio.get_running_loop()
    started = time.process_time_ns()
    for _ in range(ops):
        context = Context(
            loaders=SystemLoaders(runtime, loop.time() + 60),
            now=NOW,
            request_id="bench",
            intelligence=intelligence,
        )
        result = await schema.execute(query, variable_values=variables, context_value=context)
        if result.errors or result.data is None:
            raise RuntimeError(f"{query[:40]}: {result.errors}")
    return (time.process_time_ns() - started) / ops / 1000


SCHEMA = build_schema([ParserCache(maxsize=64), ValidationCache(maxsize=64)])


async def main(rounds: int, ops: int, populations: tuple[int, int] = POPULATIONS) -> list[str]:
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as directory:
        store = OfferOutcomeStore(f"sqlite+aiosqlite:///{Path(directory) / 'state.db'}")
        await store.start()
        for segment in ("Champions", "Loyal", "At risk", "New customer", "Lost"):
            for i in range(20):
                outcome = "ACCEPTED" if i % 3 == 0 else "DECLINED"
                await store.record(f"C-{i}", "loyalty-signup", segment, outcome, NOW)
        intelligence = Intelligence(outcomes=store)
        cases: dict[str, tuple[str, dict[str, Any]]] = {
            "1 customer": (ONE, {"id": "C-7"}),
            "100 customers": (MANY, {"ids": [f"C-{n}" for n in range(1, 101)]}),
        }
        builds: dict[int, float] = {}
        runtimes: dict[int, SourceRuntime] = {}
        for size in populations:
            rows = population(size)
            started = time.process_time_ns()
            population_of(rows)  # what the background task does once per as-of
            builds[size] = (time.process_time_ns() - started) / 1000
            runtimes[size] = runtime_with(rows)
        texts = {
            (case, label): (query % fields, variables)
            for case, (query, variables) in cases.items()
            for label, fields in (("intelligence", FIELDS), ("baseline", BASELINE_FIELDS))
        }
        for (text, variables), size in itertools.product(texts.values(), populations):
            await measure(runtimes[size], intelligence, text, variables, max(1, ops // 4))
        # Rounds interleave the two populations, so a busy machine slows both alike.
        samples: dict[tuple[str, str, int], list[float]] = {}
        for _ in range(rounds):
            for (case, label), (text, variables) in texts.items():
                for size in populations:
                    figure = await measure(runtimes[size], intelligence, text, variables, ops)
                    samples.setdefault((case, label, size), []).append(figure)
        figures = {key: (min(v), statistics.median(v)) for key, v in samples.items()}
        await store.close()
    small, large = populations
    lines.append(
        f"CPU µs per operation (best / median of {rounds} rounds of {ops}); stand-in sources, "
        "SQLite offer store; rfm + segment + nextBestOffer vs the same customers' id, name "
        "and orders (baseline)."
    )
    lines.append("")
    lines.append(
        "| case | population | intelligence µs | baseline µs | large / small (best, median) |\n"
        "|---|---:|---:|---:|---:|"
    )
    for case in cases:
        for size in populations:
            best, median = figures[(case, "intelligence", size)]
            base_best, base_median = figures[(case, "baseline", size)]
            ratio = ""
            if size == large:
                small_best, small_median = figures[(case, "intelligence", small)]
                ratio = f"{best / small_best:.2f}, {median / small_median:.2f}"
            lines.append(
                f"| {case} | {size:,} | {best:,.0f} / {median:,.0f} | "
                f"{base_best:,.0f} / {base_median:,.0f} | {ratio} |"
            )
    lines.append("")
    lines.append(
        "Snapshot build, once per population as-of (by the background fit; the first request "
        "that meets a newer as-of than the fit has seen builds it itself): "
        + ", ".join(f"{size:,} rows {builds[size] / 1000:,.1f} ms" for size in populations)
    )
    return lines


def run(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ops", type=int, default=20)
    args = parser.parse_args(argv)
    lines = asyncio.run(main(args.rounds, args.ops))
    text = "\n".join(lines)
    print(text)
    RESULTS.write_text(
        "# Intelligence: request-path cost against the population's size\n\n"
        f"`python -m bench.intelligence --rounds {args.rounds} --ops {args.ops}`\n\n" + text + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    run()
