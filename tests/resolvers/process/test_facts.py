"""A person's lists as every consumer wants them: newest first, filtered, checked before asking."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from resolvers.process import facts
from resolvers.process.errors import InvalidLookup, MissingTimeZone
from resolvers.process.identity import Person
from resolvers.system.customer_loaders import CustomerLoaders
from resolvers.system.records import Invoice, WebVisit
from tests.fake_loaders import NOW, FakeLoaders


def fakes() -> tuple[FakeLoaders, CustomerLoaders, Person]:
    fake = FakeLoaders(orders=3)
    fake.records["invoices"] = [
        Invoice("billing", "I-undated", 1.0, status="OPEN"),
        Invoice("billing", "I-old", 2.0, issued_on=date(2026, 1, 1), status="paid"),
        Invoice("ledger", "I-new", 3.0, issued_on=date(2026, 11, 1), status="Open"),
    ]
    fake.records["web_visits"] = [
        WebVisit("web", f"V-{h}", NOW - timedelta(hours=h)) for h in (30, 1, 5)
    ]
    assert fake.profile is not None
    return fake, CustomerLoaders.over(fake), Person(fake.profile, (fake.profile,), "id")  # type: ignore[arg-type]


async def test_lists_are_newest_first_and_undated_records_last() -> None:
    _, loaders, person = fakes()
    assert [i.id for i in await facts.invoices_of(loaders, person)] == [
        "I-new",
        "I-old",
        "I-undated",
    ]
    assert [o.id for o in await facts.orders_of(loaders, person)] == ["SO-0", "SO-1", "SO-2"]


async def test_status_matches_in_any_case_and_limit_keeps_the_newest() -> None:
    _, loaders, person = fakes()
    assert [i.id for i in await facts.invoices_of(loaders, person, status="open")] == [
        "I-new",
        "I-undated",
    ]
    assert [i.id for i in await facts.invoices_of(loaders, person, "open", limit=1)] == ["I-new"]


async def test_visits_since_a_moment_with_a_time_zone() -> None:
    _, loaders, person = fakes()
    since = NOW - timedelta(hours=6)
    assert [v.id for v in await facts.visits_of(loaders, person, since)] == ["V-1", "V-5"]


async def test_a_moment_without_time_zone_is_refused_before_any_source_is_asked() -> None:
    fake, loaders, person = fakes()
    with pytest.raises(MissingTimeZone) as refused:
        await facts.visits_of(loaders, person, datetime(2025, 6, 1, 12))
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "argument": "since"}
    assert '"2025-06-01T12:00:00Z"' in str(refused.value)
    assert fake.asked == []


async def test_a_negative_limit_is_refused_before_any_source_is_asked() -> None:
    fake, loaders, person = fakes()
    with pytest.raises(InvalidLookup, match="'-1' is not a valid limit"):
        await facts.orders_of(loaders, person, limit=-1)
    assert fake.asked == []


@pytest.mark.parametrize(
    "issued",
    [
        [date(2026, 3, 1), date(2026, 3, 1), date(2026, 5, 1), date(2026, 1, 1)],
        [None, date(2026, 3, 1), None, date(2026, 3, 1), date(2026, 5, 1)],
        [None, None],
        [None],
        [],
    ],
)
def test_newest_first_keeps_the_order_of_equal_dates_and_puts_every_undated_last(
    issued: list[date | None],
) -> None:
    invoices = [Invoice("billing", f"I-{n}", 1.0, issued_on=d) for n, d in enumerate(issued)]
    by_key = sorted(invoices, key=facts.NEWEST_FIRST["invoices"], reverse=True)
    assert facts.newest_first(invoices, "invoices") == by_key
