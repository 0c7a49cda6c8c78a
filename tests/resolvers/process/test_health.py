from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from resolvers.process.health import Light, health_light
from resolvers.system.records import Invoice, SocialMention, Ticket, WebVisit

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_nothing_open_is_green_with_no_reasons() -> None:
    closed = Ticket("support", "1", "solved", "Where is my parcel", "urgent")
    paid = Invoice("billing", "INV-1", 120.0, amount_paid=120.0, status="paid", kind="invoice")
    health = health_light([closed], [paid], [], [], NOW)
    assert health.light is Light.GREEN
    assert health.reasons == ()


def test_urgent_open_ticket_turns_the_light_red_and_says_why() -> None:
    urgent = Ticket("support", "48213", "open", "Refund not received", "urgent")
    health = health_light([urgent], [], [], [], NOW)
    assert health.light is Light.RED
    assert health.reasons[0].code == "OPEN_TICKET"
    assert (
        "#48213" in health.reasons[0].message and "Refund not received" in health.reasons[0].message
    )


def test_overdue_invoice_is_red_unpaid_one_is_yellow() -> None:
    overdue = Invoice(
        "billing", "INV-9", 80.0, due_on=date(2026, 11, 1), status="open", kind="invoice"
    )
    unpaid = Invoice(
        "billing", "INV-10", 20.0, due_on=date(2026, 12, 20), status="open", kind="invoice"
    )
    health = health_light([], [overdue, unpaid], [], [], NOW)
    assert health.light is Light.RED
    assert [r.code for r in health.reasons] == ["OVERDUE_INVOICE", "UNPAID_INVOICE"]


def test_abandoned_cart_today_and_old_negative_post_are_yellow() -> None:
    cart = WebVisit(
        "web", "s1", NOW - timedelta(hours=1), cart_status="abandoned", cart_value=129.9
    )
    old_post = SocialMention("social", "m1", NOW - timedelta(days=20), "meh", sentiment_score=-0.7)
    health = health_light([], [], [old_post], [cart], NOW)
    assert health.light is Light.YELLOW
    assert {r.code for r in health.reasons} == {"ABANDONED_CART", "NEGATIVE_MENTION"}


def test_negative_post_this_week_is_red() -> None:
    post = SocialMention("social", "m2", NOW - timedelta(days=1), "awful", sentiment_score=-0.9)
    assert health_light([], [], [post], [], NOW).light is Light.RED


def test_high_churn_risk_and_losing_money_turn_the_light_yellow_with_reasons() -> None:
    from resolvers.process.churn import ChurnReason, ChurnRisk
    from resolvers.process.health import Light, Signals, health_light
    from resolvers.process.profitability import Profitability

    churn = ChurnRisk(
        0.7, "HIGH", (ChurnReason("LONG_SILENCE", 0.45, "No purchase for 90 days"),), 90, 10.0
    )
    loss = Profitability(50, 0, 40, 10, 5, 18, -23, "NEGATIVE", (), ())
    health = health_light([], [], [], [], NOW, Signals(churn, loss))
    assert health.light is Light.YELLOW
    assert [r.code for r in health.reasons] == ["CHURN_RISK", "UNPROFITABLE"]
    assert "No purchase for 90 days" in health.reasons[0].message
    assert health_light([], [], [], [], NOW, Signals()).light is Light.GREEN
