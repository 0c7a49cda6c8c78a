"""The demo support desk: tickets by requester email."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sources.demo.data import DemoWorld
from sources.demo.openapi import (
    batch_parameter,
    document,
    get_operation,
    integer,
    list_of,
    obj,
    path_parameter,
    string,
)
from sources.demo.params import required_batch
from sources.demo.service import DemoService, Knobs

JsonRecord = dict[str, Any]
SYSTEM = "support"


def _newest_first(ticket: JsonRecord) -> tuple[str, int]:
    return ticket["created_at"], ticket["ticket_id"]


class SupportDesk:
    """Tickets indexed by lower-cased requester email, newest first."""

    def __init__(self, world: DemoWorld) -> None:
        self.tickets_by_email: dict[str, list[JsonRecord]] = {}
        for ticket in sorted(world.tickets, key=_newest_first, reverse=True):
            self.tickets_by_email.setdefault(ticket["requester_email"].lower(), []).append(ticket)

    async def tickets(self, request: web.Request) -> web.Response:
        emails = dict.fromkeys(e.lower() for e in required_batch(request, "requester_emails"))
        found = [t for email in emails for t in self.tickets_by_email.get(email, [])]
        found.sort(key=_newest_first, reverse=True)
        return web.json_response({"data": found})

    async def requester_tickets(self, request: web.Request) -> web.Response:
        email = request.match_info["email"].strip().lower()
        return web.json_response({"data": self.tickets_by_email.get(email, [])})


def create_service(world: DemoWorld, *, knobs: Knobs | None = None) -> DemoService:
    desk = SupportDesk(world)
    routes = [
        web.get("/tickets", desk.tickets),
        web.get("/requesters/{email}/tickets", desk.requester_tickets),
    ]
    return DemoService(SYSTEM, routes, OPENAPI, knobs=knobs, seed=world.seed)


SCHEMAS = {
    "Ticket": obj(
        {
            "ticket_id": integer("Ticket number."),
            "requester_email": string("Requester's email (case varies).", fmt="email"),
            "requester_name": string("Requester's name."),
            "subject": string("Subject line."),
            "status": string("Ticket status.", enum=("new", "open", "pending", "solved", "closed")),
            "priority": string("Priority.", enum=("low", "normal", "high", "urgent")),
            "channel": string("How it came in.", enum=("phone", "email", "chat", "web")),
            "created_at": string("Opened, ISO 8601 UTC.", fmt="date-time"),
            "updated_at": string("Last change, ISO 8601 UTC.", fmt="date-time"),
            "handling_minutes": integer("Agent minutes spent on it so far."),
        }
    ),
    "TicketList": list_of("Ticket"),
}

OPENAPI = document(
    SYSTEM,
    "Support tickets, keyed by requester email; includes a few guests unknown to the CRM.",
    {
        "/tickets": {
            "get": get_operation(
                "getTicketsByRequesterEmails",
                "Tickets by requester email (case-insensitive), newest first",
                [
                    batch_parameter(
                        "requester_emails",
                        "Requester emails.",
                        "maria.lopez@example.com",
                        required=True,
                    )
                ],
                "TicketList",
            )
        },
        "/requesters/{email}/tickets": {
            "get": get_operation(
                "getRequesterTickets",
                "Tickets of one requester, newest first",
                [
                    path_parameter(
                        "email", "Requester email, case-insensitive.", "maria.lopez@example.com"
                    )
                ],
                "TicketList",
            )
        },
    },
    SCHEMAS,
)
