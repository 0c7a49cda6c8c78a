"""What the demo's business systems share: whole-population reads and monthly report rows.

A CRM, a marketing tool or a survey system answers a report for everything it
holds (`?scope=all`), and stamps each report row with when it was computed
(`as_of`), so the gateway can say how old every figure on a dashboard is.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from sources.demo.openapi import Schema
from sources.demo.params import BadRequest
from sources.demo.world.timestamps import iso_timestamp

SCOPES = ("all",)


def wants_everything(request: web.Request, batch_names: tuple[str, ...]) -> bool:
    """True for `?scope=all`; False when one of `batch_names` is given; BadRequest otherwise."""
    given = [name for name in batch_names if name in request.query]
    scope = request.query.get("scope")
    if scope is not None:
        if scope not in SCOPES:
            raise BadRequest(f"scope must be one of {', '.join(SCOPES)}, not '{scope}'")
        if given:
            raise BadRequest(f"give either scope or '{given[0]}', not both")
        return True
    if not given:
        listed = ", ".join(f"'{name}'" for name in ("scope", *batch_names))
        raise BadRequest(f"exactly one of the query parameters {listed} is required")
    return False


def as_of_now() -> str:
    """The moment a report is computed, as every report row carries it."""
    return iso_timestamp(datetime.now(UTC))


def month_of(timestamp: str) -> str:
    """`YYYY-MM` of an ISO 8601 date or timestamp."""
    return timestamp[:7]


def scope_parameter() -> Schema:
    return {
        "name": "scope",
        "in": "query",
        "required": False,
        "description": "`all`: every record (instead of a batch of keys).",
        "schema": {"type": "string", "enum": list(SCOPES)},
        "example": "all",
    }
