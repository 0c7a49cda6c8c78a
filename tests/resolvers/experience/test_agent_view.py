"""The agent's view, section by section, from given records (no sources, no GraphQL)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest

from resolvers.experience.agent import AgentView, agent_view
from resolvers.process.health import Light
from resolvers.process.intelligence import Intelligence, OutcomeTally
from resolvers.system.customer_loaders import Ahead, CustomerLoaders
from resolvers.system.records import Invoice, Order, SocialMention, Ticket, WebVisit
from tests.fake_loaders import NOW, FakeLoaders

TODAY_9AM = NOW.replace(hour=9)


def fakes() -> FakeLoaders:
    loaders = FakeLoaders(orders=0)
    loaders.records = {
        "orders": [Order("orders", f"SO-{i}", NOW - timedelta(days=i), 10.0) for i in range(150)],
        "tickets": [
            Ticket("support", "1", "closed", "Old question", "urgent"),
            Ticket("support", "2", "open", "Card declined", "urgent"),
            Ticket("support", "3", "pending", "Address change", "low"),
        ],
        "invoices": [
            Invoice("billing", "I-paid", 50.0, amount_paid=50.0, status="paid"),
            Invoice("billing", "I-late", 80.0, due_on=date(2026, 10, 1), status="open"),
            Invoice("billing", "I-credit", 20.0, status="open", kind="credit_note"),
        ],
        "web_visits": [
            WebVisit("web", "V-yesterday", NOW - timedelta(days=1), cart_status="abandoned"),
            WebVisit("web", "V-today", TODAY_9AM, cart_status="abandoned", cart_value=42.0),
        ],
        "social_mentions": [
            SocialMention("social", "M-old", NOW - timedelta(days=40), "meh", -0.9),
            SocialMention("social", "M-new", NOW - timedelta(days=2), "awful", -0.9),
        ],
    }
    return loaders


async def view_over(loaders: FakeLoaders) -> AgentView:
    view = await agent_view(CustomerLoaders.over(loaders), "+1 212 555 0101", NOW)  # type: ignore[arg-type]
    assert view is not None
    return view


async def test_the_light_is_red_with_every_reason() -> None:
    health = await (await view_over(fakes())).health()
    assert health.light is Light.RED
    codes = [r.code for r in health.reasons]
    assert codes.count("OPEN_TICKET") == 2
    assert {"OVERDUE_INVOICE", "NEGATIVE_MENTION", "ABANDONED_CART"} <= set(codes)
    assert health.reasons[0].light is Light.RED, "the worst reasons come first"


async def test_sections_show_only_what_is_open_unpaid_today_and_recent() -> None:
    view = await view_over(fakes())
    assert [t.id for t in await view.open_tickets()] == ["2", "3"]
    assert [i.id for i in await view.unpaid_invoices()] == ["I-late"]
    assert [v.id for v in await view.web_activity_today()] == ["V-today"]
    assert [m.id for m in await view.recent_mentions()] == ["M-new"]
    assert [m.id for m in await view.recent_mentions(days=60)] == ["M-new", "M-old"]


@pytest.mark.parametrize(("asked", "shown"), [(3, 3), (-4, 0), (5000, 100)])
async def test_recent_orders_are_the_newest_within_screen_bounds(asked: int, shown: int) -> None:
    orders = await (await view_over(fakes())).recent_orders(asked)
    assert [o.id for o in orders] == [f"SO-{i}" for i in range(shown)]


async def test_an_unknown_caller_has_no_view() -> None:
    loaders = fakes()
    loaders.profile = None  # no customer system knows the number
    assert await agent_view(CustomerLoaders.over(loaders), "+1 212 555 0101", NOW) is None  # type: ignore[arg-type]


async def test_sections_made_of_the_same_records_ask_for_them_once() -> None:
    loaders = fakes()
    view = await view_over(loaders)
    await view.health()
    await view.open_tickets()
    await view.unpaid_invoices()
    assert sorted(loaders.asked) == [
        "customer",
        "invoices",
        "orders",  # churn risk and profitability in the light
        "social_mentions",
        "tickets",
        "web_visits",
    ]


async def test_the_view_loads_ahead_only_what_the_screen_reads() -> None:
    loaders = fakes()
    await agent_view(CustomerLoaders.over(loaders), "+1 212 555 0101", NOW, ["tickets"])  # type: ignore[arg-type]
    assert loaders.asked == ["customer", "tickets"]


class NotedOutcomes:
    """An offer-outcome store that notes, among the loads, when its counts were asked for."""

    def __init__(self, asked: list[str]) -> None:
        self.asked = asked

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def record(
        self, customer_id: str, offer_id: str, segment: str, outcome: str, at: datetime
    ) -> None: ...

    async def tallies(self, segments: list[str]) -> list[OutcomeTally]:
        return await self.prefetch_tallies()

    def prefetch_tallies(self) -> asyncio.Task[list[OutcomeTally]]:
        self.asked.append("offer counts")

        async def none_yet() -> list[OutcomeTally]:
            return []

        return asyncio.get_running_loop().create_task(none_yet())


async def test_the_offer_counts_are_asked_for_before_the_callers_records() -> None:
    loaders = fakes()
    intelligence = Intelligence(outcomes=NotedOutcomes(loaders.asked))
    reads: list[Ahead] = ["orders", "rfm_cut_points", "tickets"]
    named = CustomerLoaders.over(loaders)  # type: ignore[arg-type]
    view = await agent_view(named, "+1 212 555 0101", NOW, reads, intelligence)
    assert view is not None
    # Read while the sources answer, not after them (the store's read takes as long as a source's).
    assert loaders.asked[0] == "offer counts"
    assert {"customer", "orders", "tickets"} <= set(loaders.asked[1:])
    await view.next_best_offer(intelligence)


async def test_a_screen_without_the_offer_does_not_ask_for_its_counts() -> None:
    loaders = fakes()
    intelligence = Intelligence(outcomes=NotedOutcomes(loaders.asked))
    named = CustomerLoaders.over(loaders)  # type: ignore[arg-type]
    await agent_view(named, "+1 212 555 0101", NOW, ["tickets"], intelligence)
    assert loaders.asked == ["customer", "tickets"]
