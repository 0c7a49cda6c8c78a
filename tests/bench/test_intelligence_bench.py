"""The intelligence bench runs and reports both populations (tiny sizes: seconds, not minutes)."""

from __future__ import annotations

from bench.intelligence import main, population


async def test_the_bench_reports_each_case_against_both_populations() -> None:
    lines = await main(rounds=1, ops=1, populations=(50, 500))
    table = [line for line in lines if line.startswith("| 1") and "customer" in line]
    assert len(table) == 4  # 1 and 100 customers, two populations each
    assert all(line.count("|") == 6 for line in table)
    ratios = [line.split("|")[5].strip() for line in table if line.split("|")[2].strip() == "500"]
    assert all(len(r.split(", ")) == 2 and float(r.split(", ")[0]) > 0 for r in ratios)
    assert any("Snapshot build" in line for line in lines)


def test_the_population_is_anonymous_value_columns_of_the_size_asked() -> None:
    answer = population(300)
    assert answer.window_days == 365
    assert len(answer.frequency_values) == len(answer.monetary_values) == 300
    assert list(answer.recency_days_values) == sorted(answer.recency_days_values)
