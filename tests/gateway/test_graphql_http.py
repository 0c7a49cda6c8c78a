"""The wire rules on their own: media type choice, batch caps, defaults of the limits."""

from __future__ import annotations

import pytest
from cross_web import HTTPException

from gateway.graphql_http import batch_data, response_media_type
from gateway.settings import Settings

NEW = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/plain", "application/json"),
        (NEW, NEW),
        (f"{NEW}, application/json;q=0.9", NEW),
        (f"application/json, {NEW}", NEW),
        (f"application/json, {NEW};q=0.5", "application/json"),
        (f"{NEW};q=0", "application/json"),
        (f"{NEW};q=oops", "application/json"),
    ],
)
def test_graphql_response_json_only_for_clients_that_prefer_it(
    accept: str | None, chosen: str
) -> None:
    assert response_media_type(accept) == chosen


def test_batch_is_refused_when_batching_is_off() -> None:
    with pytest.raises(HTTPException) as refused:
        batch_data([{"query": "{ __typename }"}] * 3, None)
    assert refused.value.status_code == 400
    assert "Batching is off" in refused.value.reason


def test_batch_is_capped_when_batching_is_on() -> None:
    assert len(batch_data([{"query": "{ __typename }"}] * 10, 10)) == 10
    with pytest.raises(HTTPException) as refused:
        batch_data([{"query": "{ __typename }"}] * 10_000, 10)
    assert "10000 (at most 10)" in refused.value.reason


def test_batch_members_are_checked_like_single_requests() -> None:
    with pytest.raises(HTTPException) as refused:
        batch_data([{"query": "{ __typename }"}, None], 10)
    assert "must be a JSON object, not null" in refused.value.reason


def test_limits_have_safe_defaults() -> None:
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert defaults["max_body_bytes"] == 1_000_000
    assert defaults["body_read_timeout_s"] == 10.0
    assert defaults["max_introspection_depth"] == 20
    assert (defaults["max_depth"], defaults["max_aliases"], defaults["max_tokens"]) == (
        15,
        50,
        5_000,
    )
