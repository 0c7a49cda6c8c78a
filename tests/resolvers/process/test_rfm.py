from __future__ import annotations

from datetime import UTC, datetime, timedelta

from resolvers.process.rfm import rfm_scores
from resolvers.process.segments import segment_for
from resolvers.system.records import Order, RfmCutPoints

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
CUTS = RfmCutPoints(
    source="orders",
    as_of=NOW,
    recency_days=(30, 90, 180, 365),
    frequency=(1, 2, 4, 8),
    monetary=(100, 300, 800, 2000),
)


def order(days_ago: int, total: float, status: str = "delivered") -> Order:
    return Order("orders", f"SO-{days_ago}-{total}", NOW - timedelta(days=days_ago), total, status)


def test_recent_frequent_big_spender_scores_555_and_is_a_champion() -> None:
    orders = [order(d, 500) for d in (2, 20, 40, 60, 80, 100, 120, 140, 160)]
    score = rfm_scores(orders, CUTS, NOW)
    assert (score.recency, score.frequency, score.monetary) == (5, 5, 5)
    assert score.code == "555"
    assert score.order_count == 9 and score.total_spend == 4500
    assert score.population_as_of == NOW
    assert segment_for(score).name == "Champions"


def test_cancelled_orders_do_not_count_and_returns_do_not_spend() -> None:
    orders = [order(5, 900, "cancelled"), order(400, 250, "returned"), order(500, 50)]
    score = rfm_scores(orders, CUTS, NOW)
    assert score.order_count == 2
    assert score.total_spend == 50
    assert score.recency_days == 400
    assert score.recency == 1
    assert segment_for(score).name == "Hibernating"


def test_values_on_a_cut_point_fall_in_the_lower_quintile() -> None:
    score = rfm_scores([order(30, 100)], CUTS, NOW)
    assert (score.recency, score.frequency, score.monetary) == (5, 1, 1)
    assert segment_for(score).name == "New customer"


def test_no_orders_is_a_prospect_with_lowest_scores() -> None:
    score = rfm_scores([], CUTS, NOW)
    assert score.code == "111" and score.recency_days is None
    assert segment_for(score).name == "Prospect"


def test_without_population_cut_points_scores_are_neutral_not_invented() -> None:
    score = rfm_scores([order(3, 10)], None, NOW)
    assert score.code == "333"
    assert score.population_as_of is None
