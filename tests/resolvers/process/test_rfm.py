from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from resolvers.process.population import (
    higher_is_better_score,
    population_of,
    rank_score,
    segment_movement,
    segment_sizes,
)
from resolvers.process.rfm import rfm_scores
from resolvers.process.segments import DEFAULT_RULES, SegmentRule, segment_for, uncovered_codes
from resolvers.system.records import Order, RfmCutPoints

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
CUTS = RfmCutPoints(
    source="orders",
    as_of=NOW,
    recency_days=(30, 90, 180, 365),
    frequency=(1, 2, 4, 8),
    monetary=(100, 300, 800, 2000),
)


def population(rows: list[tuple[float, float, float]], window: int = 365) -> RfmCutPoints:
    """A population answer of (recency days, orders, spend) rows, all bought 400 days ago."""
    return RfmCutPoints(
        source="orders-in-a-unit-test",  # not "orders": snapshots are kept per process
        as_of=NOW,
        recency_days=(),
        frequency=(),
        monetary=(),
        window_days=window,
        compare_days=90,
        recency_days_values=tuple(r for r, _, _ in rows),
        frequency_values=tuple(f for _, f, _ in rows),
        monetary_values=tuple(m for _, _, m in rows),
        tenure_days_values=tuple(r + 10 for r, _, _ in rows),
    )


# Ten customers: recency 10..100 days, 1..10 orders, spend 100..1000.
TEN = population([(10.0 * i, float(11 - i), 100.0 * (11 - i)) for i in range(1, 11)])


def order(days_ago: float, total: float, status: str = "delivered", **more: object) -> Order:
    placed = NOW - timedelta(days=days_ago)
    return Order("orders", f"SO-{days_ago}-{total}", placed, total, status, **more)  # type: ignore[arg-type]


def test_rank_rule_is_one_plus_floor_five_s_over_n() -> None:
    assert [rank_score(s, 10) for s in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert rank_score(0, 0) == 1
    assert rank_score(12, 10) == 5  # a customer outside a stale population stays within 1..5


def test_ties_share_a_score() -> None:
    values = (1.0, 2.0, 2.0, 2.0, 5.0)
    assert higher_is_better_score(2.0, values) == 2  # S = 1 of N = 5 -> 1 + floor(1) = 2
    assert higher_is_better_score(5.0, values) == 5  # S = 4
    assert higher_is_better_score(1.0, values) == 1
    identical = (3.0,) * 7
    assert higher_is_better_score(3.0, identical) == 1


def test_scores_against_a_population_of_ten_by_hand() -> None:
    # 35 days since the last order: 7 of 10 bought longer ago (40..100) -> 1 + floor(3.5) = 4.
    # 4 orders: 3 have fewer (1, 2, 3) -> 1 + floor(1.5) = 2. Spend 650: 6 spent less -> 4.
    orders = [order(35, 200), order(50, 150), order(60, 200), order(70, 100)]
    score = rfm_scores(orders, TEN, NOW)
    assert (score.recency, score.frequency, score.monetary) == (4, 2, 4)
    assert score.code == "424"
    assert score.population_size == 10 and score.window_days == 365
    assert score.population_as_of == NOW


def test_average_monetary_ranks_the_average_spend() -> None:
    orders = [order(35, 200), order(50, 150), order(60, 200), order(70, 100)]
    score = rfm_scores(orders, TEN, NOW, monetary="average")
    # averages in the population are all 100; 162.5 beats all 10 -> capped at 5
    assert score.average_spend == 162.5 and score.monetary == 5
    assert score.monetary_measure == "average"


def test_only_the_window_counts_and_no_purchase_in_it_is_lapsed() -> None:
    score = rfm_scores([order(400, 500), order(500, 300)], TEN, NOW)
    assert score.code == "111" and score.order_count == 0
    assert score.recency_days == 400  # since the last purchase ever
    assert segment_for(score).name == "Lapsed"


def test_no_orders_is_a_prospect_with_lowest_scores() -> None:
    score = rfm_scores([], TEN, NOW)
    assert score.code == "111" and score.recency_days is None
    assert segment_for(score).name == "Prospect"


def test_bad_orders_are_ignored_not_counted() -> None:
    orders = [
        order(10, 0.0),  # zero total: not a sale
        order(12, -40.0),  # negative total: not a sale
        order(-3, 900.0),  # placed in the future
        order(20, 120.0),
    ]
    score = rfm_scores(orders, TEN, NOW)
    assert score.order_count == 1 and score.total_spend == 120.0
    assert score.recency_days == 20
    assert score.ignored_orders == 3


def test_a_refund_larger_than_its_order_refunds_the_order_no_more() -> None:
    orders = [order(20, 100.0, refunded=250.0), order(30, 80.0, refunded=30.0)]
    score = rfm_scores(orders, TEN, NOW)
    assert score.order_count == 2
    assert score.total_spend == 50.0  # 100 - 100 + 80 - 30


def test_returned_orders_without_a_refund_amount_keep_nothing() -> None:
    orders = [order(5, 900, "cancelled"), order(40, 250, "returned"), order(50, 50)]
    score = rfm_scores(orders, TEN, NOW)
    assert score.order_count == 2 and score.total_spend == 50


def test_cut_points_only_source_is_scored_by_quintiles() -> None:
    orders = [order(d, 500) for d in (2, 20, 40, 60, 80, 100, 120, 140, 160)]
    score = rfm_scores(orders, CUTS, NOW)
    assert score.code == "555" and score.window_days is None
    assert segment_for(score).name == "Champions"


def test_without_population_data_scores_are_neutral_not_invented() -> None:
    score = rfm_scores([order(3, 10)], None, NOW)
    assert score.code == "333"
    assert score.population_as_of is None


def test_the_default_table_names_every_score_code() -> None:
    assert uncovered_codes(DEFAULT_RULES) == []
    gap = tuple(r for r in DEFAULT_RULES if r.name != "Lost")
    assert "111" in uncovered_codes(gap)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("555", "Champions"),
        ("154", "Can't lose them"),
        ("343", "Loyal"),
        ("131", "At risk"),
        ("513", "New customer"),
        ("425", "Potential loyalist"),
        ("322", "Needs attention"),
        ("221", "Hibernating"),
        ("115", "Lost"),
    ],
)
def test_segment_grid(code: str, name: str) -> None:
    from resolvers.process.population import RowScores

    r, f, m = (int(c) for c in code)
    assert segment_for(RowScores(r, f, m, 1)).name == name


def test_a_custom_table_replaces_the_default() -> None:
    rules = (
        SegmentRule("Everyone", "All buyers."),
        SegmentRule("Nobody yet", "No purchase.", applies_to="never_ordered"),
    )
    score = rfm_scores([order(35, 200)], TEN, NOW)
    assert segment_for(score, rules).name == "Everyone"
    assert segment_for(rfm_scores([], TEN, NOW), rules).name == "Nobody yet"


def test_segment_sizes_and_movement_count_the_anonymous_rows() -> None:
    answer = population([(10.0 * i, float(11 - i), 100.0 * (11 - i)) for i in range(1, 11)])
    snapshot = population_of(answer)
    assert snapshot is not None and snapshot.size == 10
    sizes = {s.segment: s.customers for s in segment_sizes(snapshot)}
    assert sum(sizes.values()) == 10
    assert sizes["Champions"] == 4  # S >= 6 of 10 on all three measures scores 4 or 5
    moves = segment_movement(snapshot)
    # no prior columns: everyone was "Lapsed" 90 days ago
    assert {m.from_segment for m in moves} == {"Lapsed"}
    assert sum(m.customers for m in moves) == 10
    assert population_of(answer) is snapshot  # built once per as-of


def test_the_demo_order_systems_population_ranks_and_segments_every_buyer() -> None:
    """/stats/rfm's columns, as the demo serves them, make a snapshot whose segment sizes
    add up to its buyers (plus the lapsed) and whose ranks spread over 1..5."""
    from sources.demo.data import generate
    from sources.demo.orders import rfm_population

    world = generate(customers=300)
    answer = rfm_population(world.orders, world.today, 365, 90)
    record = RfmCutPoints(
        source="orders",
        as_of=NOW,
        recency_days=(),
        frequency=(),
        monetary=(),
        **{k: v for k, v in answer.items() if k not in {"as_of", "customers"}},
    )
    snapshot = population_of(record)
    assert snapshot is not None and snapshot.size == answer["customers"] > 100
    sizes = segment_sizes(snapshot)
    lapsed = sum(s.customers for s in sizes if s.segment == "Lapsed")
    assert sum(s.customers for s in sizes) - lapsed == snapshot.size
    scores = {snapshot.ranking.scores(row, "total").recency for row in snapshot.rows}
    assert scores == {1, 2, 3, 4, 5}
    moves = segment_movement(snapshot)
    assert sum(m.customers for m in moves) == len(answer["frequency_values"])
