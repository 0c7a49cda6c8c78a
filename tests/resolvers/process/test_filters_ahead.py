"""What a list's look-ahead may push for a field: exactly the filters the field will load with.

A look-ahead that guessed other filters than the field's own would file its
answer where the field never looks (a second request) or, worse, answer the
field from a narrower list; so anything it cannot know ahead loads whole lists.
"""

from __future__ import annotations

from resolvers.process.facts import filters_ahead
from sources.arguments import Filters


def test_the_arguments_each_list_field_builds_its_filters_from() -> None:
    assert filters_ahead("orders", {"limit": 5}) == Filters(limit=5)
    assert filters_ahead("invoices", {"status": "unpaid", "limit": 2}) == Filters(2, "unpaid")
    assert filters_ahead("tickets", {"status": "open"}) == Filters(status="open")
    assert filters_ahead("social_mentions", {"limit": 3}) == Filters(limit=3)
    assert filters_ahead("orders", {}) == Filters()  # no argument: the whole list


def test_what_cannot_be_known_ahead_is_not_pushed() -> None:
    assert filters_ahead("web_visits", {"since": "2026-11-02T12:00:00Z"}) is None
    assert filters_ahead("orders", {"status": "open"}) is None  # orders take no status
    assert filters_ahead("orders", {"limit": -1}) is None  # the field refuses it itself
    assert filters_ahead("orders", {"limit": True}) is None
    assert filters_ahead("tickets", {"status": 3}) is None
    assert filters_ahead("weather", {}) is None
