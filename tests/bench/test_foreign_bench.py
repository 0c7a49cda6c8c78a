"""``python -m bench.foreign``: its inputs, its answer checks and its targets, without a run.

The run itself starts both worlds, two gateways and Mesh (minutes, npm); here
the parts that decide what a row means are checked on their own: who is
asked, that a wrong answer is caught before anything is timed, and how the
targets read the rows. No time is asserted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bench import foreign, foreign_peer
from bench.measure import Row
from bench.scenarios import PEERS
from sources.foreign.world import generate

DAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def load() -> foreign.ForeignWorkload:
    return foreign.foreign_workload(generate(seed=foreign.SEED, customers=2000, today=DAY))


def test_callers_and_lists_are_people_every_system_knows_as_the_crm_holds_them(
    load: foreign.ForeignWorkload,
) -> None:
    contacts = {c["contact_id"]: c for c in load.world.contacts}
    listed = [p for people in load.lists_50 for p in people]
    assert len(load.lists_50) == foreign.LISTS and {len(x) for x in load.lists_50} == {50}
    assert len({p.contact_id for p in listed}) == len(listed)  # disjoint: nothing coalesces
    assert len(load.callers) == foreign.CALLERS
    for person in [*listed, *load.callers]:
        assert person.order_customer_id and person.support_user_id
        assert contacts[person.contact_id]["billing_account"] == person.billing_account
    # Some people are left out: the world is not all in every system.
    assert len(foreign.everywhere(load.world)) < len(load.world.people)


def _gateway_list(load: foreign.ForeignWorkload, people: Any) -> dict[str, Any]:
    customers = []
    for person in people:
        orders, invoices, tickets = foreign._records(load.world, person)
        customers.append(
            {
                "id": person.contact_id,
                "orders": [{"id": i} for i in sorted(orders)],
                "invoices": [{"id": i} for i in sorted(invoices)],
                "tickets": [{"id": i} for i in sorted(tickets)],
            }
        )
    return {"data": {"customers": customers}}


def test_the_list_check_passes_the_systems_records_and_catches_one_missing(
    load: foreign.ForeignWorkload,
) -> None:
    scenario = foreign.list_scenario(load, 1)
    people = load.lists_50[0]
    expected = {"ids": [p.contact_id for p in people]}
    answer = _gateway_list(load, people)
    assert scenario.check("c360-foreign", expected, answer) is None
    with_orders = next(c for c in answer["data"]["customers"] if c["orders"])
    with_orders["orders"].pop()
    assert scenario.check("c360-foreign", expected, answer) == "records differ for 1 customer(s)"


def test_the_peers_answer_is_read_through_its_order_groups(
    load: foreign.ForeignWorkload,
) -> None:
    scenario = foreign.list_scenario(load, 1)
    people = load.lists_50[1]
    contacts: list[dict[str, Any]] = []
    for person in people:
        orders, invoices, tickets = foreign._records(load.world, person)
        contacts.append(
            {
                "contact_id": person.contact_id,
                "orders": [{"orders": [{"order_ref": o} for o in orders]}],
                "invoices": [{"invoice_number": i} for i in invoices],
                "tickets": [{"ticket": t} for t in tickets],
            }
        )
    answer = {"data": {"searchContacts": {"contacts": contacts}}}
    expected = {"ids": [p.contact_id for p in people]}
    assert scenario.check(PEERS[1], expected, answer) is None
    with_orders = next(c for c in contacts if c["orders"][0]["orders"])
    with_orders["orders"] = []
    assert scenario.check(PEERS[1], expected, answer) == "records differ for 1 customer(s)"
    request = scenario.build(PEERS[0], people)
    assert request is not None and request.body is not None
    assert foreign_peer.LIST_QUERY.split("(")[0] in request.body.decode()


def _row(scenario: str, target: str, cpu: float, rps: float, systems: int) -> Row:
    row = Row(scenario, target, 10, rps=rps, cpu_ms_per_query=cpu)
    row.source_requests_one_query = {f"s{n}": 1 for n in range(systems)}
    return row


def test_targets_read_cpu_against_the_demo_and_req_s_against_the_best_peer_row() -> None:
    rows = [
        _row("a-agent-saved", "c360", 5.0, 100, 8),
        _row("fa-agent", "c360-foreign", 5.4, 300, 4),
        _row("fa-agent", PEERS[0], 9.0, 100, 4),
        _row("fa-agent", PEERS[1], 8.0, 160, 4),
        _row("c-customers-50", "c360", 10.0, 50, 5),
        _row("fc-customers-50", "c360-foreign", 12.0, 40, 4),
    ]
    found = {t.name: t for t in foreign.targets(rows)}
    agent_cpu = found["CPU/query over foreign ≤ 1.10× over demo (agent view)"]
    assert agent_cpu.verdict == "PASS" and agent_cpu.figure.startswith("1.08×")
    list_cpu = found["CPU/query over foreign ≤ 1.10× over demo (50-customer list)"]
    assert list_cpu.verdict == "MISS" and list_cpu.figure.startswith("1.20×")
    agent_rps = found["req/s over foreign ≥ 2× the peer's best row (agent view)"]
    assert agent_rps.verdict == "MISS" and "peer-batched 160" in agent_rps.figure
    list_rps = found["req/s over foreign ≥ 1× the peer's best row (50-customer list)"]
    assert list_rps.figure == "not measured" and list_rps.verdict == "n/a"


def test_cpu_is_also_compared_per_record_answered_of_the_same_query() -> None:
    """The demo's customers hold more records than the foreign ones; the figure per record
    answered is printed next to the per-query verdict, as information."""
    rows = [
        _row("c-customers-50", "c360", 20.0, 50, 4),
        _row("fc-customers-50", "c360-foreign", 12.0, 40, 4),
    ]
    found = {t.name: t for t in foreign.targets(rows, {"c-customers-50": 500.0})}
    name = "CPU per record answered, foreign vs demo (50-customer list, same query; information)"
    assert found[name].figure == "not measured"  # the foreign answers were not counted
    both = {"c-customers-50": 500.0, "fc-customers-50": 250.0}
    found = {t.name: t for t in foreign.targets(rows, both)}
    assert found[name].verdict == "n/a" and found[name].figure.startswith("1.20× (48 vs 40 µs")
    per_query = found["CPU/query over foreign ≤ 1.10× over demo (50-customer list)"]
    assert per_query.verdict == "PASS"  # 0.60× per query, yet dearer per record


def test_records_are_counted_in_both_answer_shapes() -> None:
    one: dict[str, Any] = {
        "data": {"customer": {"orders": [{}, {}], "invoices": [{}], "tickets": None}}
    }
    assert foreign.answered_records(one) == 3
    many: dict[str, Any] = {
        "data": {"customers": [{"orders": [{}], "invoices": [], "tickets": [{}]}, None]}
    }
    assert foreign.answered_records(many) == 2
    assert foreign.answered_records({"data": {"customer": None}}) == 0
