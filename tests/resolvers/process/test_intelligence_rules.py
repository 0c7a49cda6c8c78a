"""Profitability, churn risk, next best offer and the intelligence config, on hand-made cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from resolvers.process.churn import churn_risk
from resolvers.process.offers import OfferTally, UnknownOffer, check_outcome, ranked_offers
from resolvers.process.policy import DEFAULT_POLICY, PolicyError, policy_from_yaml
from resolvers.process.profitability import profitability
from resolvers.system.records import Order, SocialMention, Ticket

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def order(days_ago: float, total: float, status: str = "delivered", **more: object) -> Order:
    placed = NOW - timedelta(days=days_ago)
    return Order("orders", f"SO-{days_ago}", placed, total, status, **more)  # type: ignore[arg-type]


def ticket(channel: str, status: str = "solved", priority: str = "normal") -> Ticket:
    return Ticket("support", f"T-{channel}-{status}", status, "Late parcel", priority, channel)


def test_profit_is_revenue_less_every_cost_by_hand() -> None:
    orders = [
        order(10, 90.0, discount=10.0, cost_of_goods=50.0, shipping_cost=5.0),
        order(20, 40.0, "returned", refunded=40.0, cost_of_goods=20.0, shipping_cost=6.0),
    ]
    tickets = [ticket("phone"), ticket("phone"), ticket("email"), ticket("fax")]
    p = profitability(orders, tickets, NOW, DEFAULT_POLICY)
    # revenue 100 + 40; discounts 10; refunds 40; goods 50 (the returned order's came back);
    # shipping 11; serving 2 x 9 + 5 + 5 (fax: default) = 28
    assert (p.revenue, p.discounts, p.refunds, p.cost_of_goods, p.shipping) == (
        140.0,
        10.0,
        40.0,
        50.0,
        11.0,
    )
    assert p.cost_to_serve == 28.0
    assert p.profit == 140 - 10 - 40 - 50 - 11 - 28
    assert p.tier == "LOW"


def test_a_customer_who_costs_more_than_they_bring_is_negative() -> None:
    orders = [order(10, 20.0, cost_of_goods=15.0, shipping_cost=8.0)]
    p = profitability(orders, [ticket("phone")] * 3, NOW, DEFAULT_POLICY)
    assert p.profit < 0 and p.tier == "NEGATIVE"


def test_bad_orders_in_profitability() -> None:
    orders = [
        order(5, 100.0, refunded=150.0, cost_of_goods=60.0),  # refund larger than the order
        order(6, -30.0),  # negative total: not a sale
        order(-2, 500.0),  # future date: not a sale
    ]
    p = profitability(orders, [], NOW, DEFAULT_POLICY)
    assert p.revenue == 100.0 and p.refunds == 100.0 and p.cost_of_goods == 0.0
    assert len(p.notes) == 1 and "exceeds its total" in p.notes[0]


def test_churn_reasons_by_hand() -> None:
    # every 10 days, then silent for 60: 6x the usual gap -> long silence
    orders = [order(60 + 10 * i, 50.0) for i in range(6)]
    mentions = [SocialMention("social", "M1", NOW - timedelta(days=3), "awful", -0.9)]
    tickets = [ticket("email", "open", "urgent")]
    risk = churn_risk(orders, tickets, mentions, NOW, DEFAULT_POLICY)
    codes = [r.code for r in risk.reasons]
    assert codes == ["LONG_SILENCE", "OPEN_COMPLAINT", "NEGATIVE_MENTION"]
    assert risk.usual_gap_days == 10.0 and risk.days_since_last_purchase == 60
    assert risk.score == pytest.approx(0.45 + 0.2 + 0.15) and risk.level == "HIGH"


def test_a_regular_buyer_has_low_risk_and_falling_spend_is_a_reason() -> None:
    steady = [order(5 + 10 * i, 50.0) for i in range(10)]
    assert churn_risk(steady, [], [], NOW, DEFAULT_POLICY).level == "LOW"
    falling = [order(300, 400.0), order(250, 400.0), order(100, 50.0), order(20, 50.0)]
    risk = churn_risk(falling, [], [], NOW, DEFAULT_POLICY)
    assert "FALLING_SPEND" in [r.code for r in risk.reasons]


def test_offer_rates_learn_from_outcomes_with_a_prior() -> None:
    tallies = [OfferTally("At risk", "winback-20", accepted=30, declined=10)]
    best = ranked_offers("At risk", True, tallies, DEFAULT_POLICY)[0]
    # (30 + 0.12 x 10) / (40 + 10) = 0.624; value 0.624 x 25 - 6 = 9.6
    assert best.offer.id == "winback-20"
    assert best.acceptance_rate == pytest.approx(0.624)
    assert best.expected_value == pytest.approx(9.6)


def test_without_consent_only_service_offers_remain() -> None:
    ranked = ranked_offers("At risk", False, [], DEFAULT_POLICY)
    assert [c.offer.id for c in ranked] == ["service-callback"]
    assert ranked_offers("At risk", None, [], DEFAULT_POLICY)[0].offer.marketing is False


def test_unknown_offer_id_names_the_known_ones() -> None:
    with pytest.raises(UnknownOffer, match=r"no offer 'gift-card' .*winback-20") as error:
        check_outcome(DEFAULT_POLICY, "gift-card", "ACCEPTED")
    assert error.value.extensions["code"] == "BAD_USER_INPUT"


def test_the_config_file_overrides_and_is_checked() -> None:
    policy = policy_from_yaml(
        "rfm_monetary: average\nticket_costs: {phone: 20}\nclv: {horizon_months: 24}\n", "x.yaml"
    )
    assert policy.rfm_monetary == "average" and policy.ticket_costs == {"phone": 20.0}
    assert policy.clv.horizon_months == 24
    with pytest.raises(PolicyError, match=r"x\.yaml: .*segments: no rule for score codes 111"):
        policy_from_yaml("segments:\n  - {name: Only, recency: [5, 5]}\n", "x.yaml")
    with pytest.raises(PolicyError, match=r"x.yaml: offers.0.prior_rate"):
        policy_from_yaml("offers:\n  - {id: a, name: A, value: 1, prior_rate: 2}\n", "x.yaml")
    with pytest.raises(PolicyError, match=r"x\.yaml: not YAML"):
        policy_from_yaml("a: [", "x.yaml")
    with pytest.raises(PolicyError, match=r"x\.yaml: rfm_window: Extra inputs"):
        policy_from_yaml("rfm_window: 3", "x.yaml")
