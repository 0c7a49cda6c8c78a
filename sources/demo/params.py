"""Reading batch query parameters the way every demo system does: comma lists, bounded size."""

from __future__ import annotations

from aiohttp import web

MAX_BATCH = 500


class BadRequest(ValueError):
    """The caller's fault; the service shell answers 400 `{"error": message}`."""


def batch_values(request: web.Request, name: str) -> list[str] | None:
    """The comma-separated values of `name` (repeated parameters are joined), None if absent.

    Raises BadRequest when the batch holds more than MAX_BATCH keys, so a caller
    learns to split its batches instead of getting a slow answer.
    """
    if name not in request.query:
        return None
    values = [
        value.strip()
        for raw in request.query.getall(name)
        for value in raw.split(",")
        if value.strip()
    ]
    if len(values) > MAX_BATCH:
        raise BadRequest(f"too many values for '{name}': {len(values)} > max_batch {MAX_BATCH}")
    return values


def required_batch(request: web.Request, name: str) -> list[str]:
    """Like batch_values, but a missing parameter is a BadRequest naming it."""
    values = batch_values(request, name)
    if values is None:
        raise BadRequest(f"missing required query parameter '{name}'")
    return values


def exactly_one_batch(request: web.Request, names: tuple[str, ...]) -> tuple[str, list[str]]:
    """The one parameter of `names` that is present, with its values; BadRequest otherwise."""
    present = [name for name in names if name in request.query]
    if len(present) != 1:
        listed = ", ".join(f"'{name}'" for name in names)
        raise BadRequest(f"exactly one of the query parameters {listed} is required")
    return present[0], required_batch(request, present[0])
