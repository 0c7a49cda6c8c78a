"""The demo web analytics: visits (with carts) by user email, optionally since a moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from sources.demo.data import DemoWorld
from sources.demo.openapi import (
    batch_parameter,
    document,
    get_operation,
    integer,
    list_of,
    money,
    obj,
    path_parameter,
    ref,
    string,
)
from sources.demo.params import BadRequest, required_batch
from sources.demo.service import DemoService, Knobs
from sources.demo.world.timestamps import parse_timestamp

JsonRecord = dict[str, Any]
SYSTEM = "web"


def _since(request: web.Request) -> datetime | None:
    raw = request.query.get("since")
    if raw is None or not raw.strip():
        return None
    try:
        return parse_timestamp(raw)
    except ValueError as problem:
        raise BadRequest(f"'since' is not an ISO 8601 timestamp: {raw!r}") from problem


class WebAnalytics:
    """Visits indexed by lower-cased user email, newest first."""

    def __init__(self, world: DemoWorld) -> None:
        self.visits_by_email: dict[str, list[JsonRecord]] = {}
        newest_first = sorted(world.visits, key=lambda v: v["started_at"], reverse=True)
        for visit in newest_first:
            self.visits_by_email.setdefault(visit["user_email"].lower(), []).append(visit)

    def _matching(self, emails: list[str], since: datetime | None) -> list[JsonRecord]:
        found = [v for email in dict.fromkeys(emails) for v in self.visits_by_email.get(email, [])]
        if since is not None:
            found = [v for v in found if parse_timestamp(v["started_at"]) >= since]
        return sorted(found, key=lambda v: v["started_at"], reverse=True)

    async def visits(self, request: web.Request) -> web.Response:
        emails = [email.lower() for email in required_batch(request, "user_emails")]
        return web.json_response({"data": self._matching(emails, _since(request))})

    async def user_visits(self, request: web.Request) -> web.Response:
        email = request.match_info["email"].strip().lower()
        return web.json_response({"data": self._matching([email], _since(request))})


def create_service(world: DemoWorld, *, knobs: Knobs | None = None) -> DemoService:
    analytics = WebAnalytics(world)
    routes = [
        web.get("/visits", analytics.visits),
        web.get("/users/{email}/visits", analytics.user_visits),
    ]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


SINCE = {
    "name": "since",
    "in": "query",
    "required": False,
    "description": "Only visits started at or after this ISO 8601 timestamp.",
    "schema": {"type": "string", "format": "date-time"},
    "example": "2026-11-27T00:00:00Z",
}
SCHEMAS = {
    "Cart": obj(
        {
            "cart_id": string("Cart id."),
            "status": string("Cart outcome.", enum=("abandoned", "converted", "active")),
            "value": money("Cart value"),
            "items": integer("Number of items."),
            "updated_at": string("Last cart change, ISO 8601 UTC.", fmt="date-time"),
        },
        nullable=True,
        description="The session's cart, or null if none.",
    ),
    "Visit": obj(
        {
            "session_id": string("Session id."),
            "user_email": string("Signed-in user's email.", fmt="email"),
            "started_at": string("Session start, ISO 8601 UTC.", fmt="date-time"),
            "ended_at": string("Session end, ISO 8601 UTC.", fmt="date-time"),
            "pages_viewed": integer("Pages viewed."),
            "landing_page": string("First page path."),
            "referrer": string(
                "Traffic source.", enum=("search", "newsletter", "direct", "social", "ads")
            ),
            "device": string("Device class.", enum=("mobile", "desktop", "tablet")),
            "cart": ref("Cart"),
        }
    ),
    "VisitList": list_of("Visit"),
}

OPENAPI = document(
    SYSTEM,
    "Web sessions of the last 60 days with their carts; includes a few guests unknown to the CRM.",
    {
        "/visits": {
            "get": get_operation(
                "getVisitsByUserEmails",
                "Visits by user email (case-insensitive), newest first",
                [
                    batch_parameter(
                        "user_emails", "User emails.", "maria.lopez@example.com", required=True
                    ),
                    SINCE,
                ],
                "VisitList",
            )
        },
        "/users/{email}/visits": {
            "get": get_operation(
                "getUserVisits",
                "Visits of one user, newest first",
                [
                    path_parameter(
                        "email", "User email, case-insensitive.", "maria.lopez@example.com"
                    ),
                    SINCE,
                ],
                "VisitList",
            )
        },
    },
    SCHEMAS,
)
