"""The generated world: deterministic, and carrying every planted mess on distinct people.

How long generating takes is a figure of ``python -m bench.demo_world``, not asserted here.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

from sources.demo.data import PLANTED_ROLES, generate
from sources.demo.orders import rfm_cut_points

DAY = date(2026, 11, 27)


def _bytes(seed: int, customers: int = 1000) -> bytes:
    return json.dumps(
        asdict(generate(seed=seed, customers=customers, today=DAY)), default=str
    ).encode()


def test_same_seed_and_day_give_byte_identical_worlds() -> None:
    assert _bytes(360) == _bytes(360)
    assert _bytes(360) != _bytes(361)


def test_a_thousand_customers_are_a_thousand_distinct_crm_people() -> None:
    world = generate(customers=1000, today=DAY)
    # One CRM record per person, plus the planted duplicate: a second id, the same email.
    assert len(world.contacts) == 1001
    assert len({contact["email"].lower() for contact in world.contacts}) == 1000
    assert len({contact["id"] for contact in world.contacts}) == 1001


def test_every_planted_case_is_on_its_own_person() -> None:
    world = generate(today=DAY)
    assert [case.case for case in world.planted] == list(PLANTED_ROLES)
    people = [case.crm_ids[0] for case in world.planted]
    assert len(set(people)) == len(people)
    duplicate = world.planted_case("crm_duplicate")
    assert len(duplicate.crm_ids) == 2


def test_order_totals_are_lines_minus_discount() -> None:
    world = generate(customers=200, today=DAY)
    for order in world.orders:
        lines = sum(line["quantity"] * line["unit_price"] for line in order["lines"])
        assert abs(order["total"] - (lines - order["discount"])) < 0.011


def test_overdue_means_open_and_past_due() -> None:
    world = generate(customers=200, today=DAY)
    for invoice in world.invoices:
        past_due = invoice["due_on"] < DAY.isoformat()
        if invoice["status"] == "overdue":
            assert past_due and invoice["amount_paid"] == 0
        if invoice["status"] == "open":
            assert not past_due


def test_rfm_cut_points_are_four_ascending_quintiles() -> None:
    rfm = rfm_cut_points(generate(today=DAY).orders, DAY)
    for dimension in ("recency_days", "frequency", "monetary"):
        cuts = rfm[dimension]
        assert len(cuts) == 4 and cuts == sorted(cuts) and cuts[0] < cuts[-1]
    assert rfm["as_of"] == "2026-11-27T00:00:00Z"


def test_guests_exist_outside_the_crm() -> None:
    world = generate(customers=200, today=DAY)
    crm_emails = {contact["email"].lower() for contact in world.contacts}
    for records, key in (
        (world.order_customers, "email"),
        (world.tickets, "requester_email"),
        (world.visits, "user_email"),
    ):
        assert any(record[key].lower() not in crm_emails for record in records)
