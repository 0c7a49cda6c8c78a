"""The foreign support desk: tickets keyed by its own user ids (`u4711`), a flat list."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sources.demo.openapi import batch_parameter, document, get_operation, list_of, obj, string
from sources.demo.params import required_batch
from sources.demo.service import DemoService, Knobs
from sources.foreign.openapi import titled
from sources.foreign.world import CHANNELS, TICKET_STATES, URGENCIES, ForeignWorld

JsonRecord = dict[str, Any]
SYSTEM = "support"


class ForeignSupport:
    def __init__(self, world: ForeignWorld) -> None:
        self.by_user: dict[str, list[JsonRecord]] = {}
        for ticket in world.tickets:
            self.by_user.setdefault(ticket["requester"], []).append(ticket)

    async def tickets(self, request: web.Request) -> web.Response:
        users = dict.fromkeys(required_batch(request, "requester"))
        return web.json_response(
            {"data": [ticket for user in users for ticket in self.by_user.get(user, [])]}
        )


def create_service(world: ForeignWorld, *, knobs: Knobs | None = None) -> DemoService:
    desk = ForeignSupport(world)
    routes = [web.get("/desk/tickets", desk.tickets)]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


OPENAPI = titled(
    document(
        SYSTEM,
        "Support tickets by the desk's own user ids.",
        {
            "/desk/tickets": {
                "get": get_operation(
                    "getTicketsByRequesters",
                    "Tickets of the given desk users",
                    [batch_parameter("requester", "Desk user ids.", "u4711,u815", required=True)],
                    "TicketList",
                )
            }
        },
        {
            "Ticket": obj(
                {
                    "ticket": string("Ticket id.", example="T-4711-1"),
                    "requester": string("Desk user id.", example="u4711"),
                    "title": string("Subject line."),
                    "state": string("Ticket state.", enum=tuple(dict.fromkeys(TICKET_STATES))),
                    "urgency": string("Priority.", enum=URGENCIES),
                    "via": string("Channel.", enum=CHANNELS),
                    "opened_at": string("When it was opened, ISO 8601 UTC.", fmt="date-time"),
                }
            ),
            "TicketList": list_of("Ticket"),
        },
    ),
    "Foreign Support Desk API",
)
