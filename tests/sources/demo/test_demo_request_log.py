"""The request log counts round trips from the order of events alone."""

from __future__ import annotations

from sources.demo.request_log import LoggedRequest, rounds, systems_by_round


def request(system: str, arrived: int, answered: int) -> LoggedRequest:
    return LoggedRequest(system, f"/{system}", arrived, answered)


def test_requests_that_arrived_before_any_answer_are_one_round() -> None:
    together = [request("orders", 1, 7), request("billing", 2, 5), request("web", 3, 6)]
    assert systems_by_round(together) == [{"orders", "billing", "web"}]


def test_a_request_sent_after_an_answer_is_the_next_round() -> None:
    log = [
        request("crm", 1, 3),
        request("contacts", 2, 4),
        request("orders", 5, 8),
        request("billing", 6, 7),
    ]
    assert systems_by_round(log) == [{"crm", "contacts"}, {"orders", "billing"}]


def test_a_lookup_waiting_on_the_one_before_it_is_a_round_of_its_own() -> None:
    # The contact book asked only once the CRM answered: three round trips in a row.
    log = [request("crm", 1, 2), request("contacts", 3, 4), request("orders", 5, 6)]
    assert [len(r) for r in rounds(log)] == [1, 1, 1]


def test_a_request_still_unanswered_counts_for_nothing_after_it() -> None:
    log = [LoggedRequest("weather", "/v1/forecast", 1), request("orders", 2, 3)]
    assert systems_by_round(log) == [{"weather", "orders"}]
