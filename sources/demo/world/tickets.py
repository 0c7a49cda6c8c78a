"""The support desk's view: tickets keyed by the requester's email, with the minutes they cost."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random
from typing import Any

from sources.demo.world.names import title_case_email
from sources.demo.world.people import Person
from sources.demo.world.timestamps import iso_timestamp, moment

JsonRecord = dict[str, Any]

SUBJECTS: tuple[str, ...] = (
    "Where is my order?", "Wrong size delivered", "Refund not received", "Change address",
    "Item arrived damaged", "Question about my invoice", "Cannot log in", "Discount code failed",
    "Exchange request", "Cancel my order", "Missing item in package", "Warranty question",
)  # fmt: skip
RETURN_SUBJECTS: tuple[str, ...] = (
    "Return label not working", "Second return this month", "Refund for returned jacket",
    "Package returned to sender", "Complaint about return process",
)  # fmt: skip
FIRST_TICKET_ID = 40001


def support_desk(rng: Random, people: list[Person], today: date) -> list[JsonRecord]:
    """Tickets of ~60% of people plus a few guests; ids are integers in creation order."""
    drafts: list[JsonRecord] = []
    for person in people:
        if not person.files_tickets:
            continue
        email = title_case_email(person.email) if rng.random() < 0.05 else person.email
        drafts.extend(_tickets_of(rng, person, email, today))
    drafts.sort(key=lambda ticket: (ticket["created_at"], ticket["requester_email"]))
    for number, ticket in enumerate(drafts):
        ticket["ticket_id"] = FIRST_TICKET_ID + number
    return drafts


def _tickets_of(rng: Random, person: Person, email: str, today: date) -> list[JsonRecord]:
    if person.role == "loses_money":
        return [
            _ticket(
                rng,
                person,
                email,
                today,
                rng.randint(20, 400),
                rng.choice(RETURN_SUBJECTS),
                rng.choice(("high", "normal")),
                rng.randint(300, 600),
            )
            for _ in range(5)
        ]
    tickets = [
        _ticket(
            rng,
            person,
            email,
            today,
            rng.randint(1, 730),
            rng.choice(SUBJECTS),
            rng.choices(("low", "normal", "high", "urgent"), weights=(6, 10, 3, 1))[0],
            _minutes(rng),
        )
        for _ in range(rng.choices((1, 2, 3, 4), weights=(6, 3, 2, 1))[0])
    ]
    if person.role == "red_health":
        urgent = _ticket(
            rng, person, email, today, 1, "Charged twice and still nothing delivered", "urgent", 45
        )
        urgent["status"] = "open"
        tickets.append(urgent)
    return tickets


def _minutes(rng: Random) -> int:
    return max(3, min(240, int(rng.lognormvariate(3.0, 0.7))))


def _ticket(
    rng: Random,
    person: Person,
    email: str,
    today: date,
    days_ago: int,
    subject: str,
    priority: str,
    minutes: int,
) -> JsonRecord:
    created = moment(today, days_ago, rng.randrange(86400))
    if days_ago > 14:
        status = rng.choices(("solved", "closed", "pending"), weights=(5, 4, 1))[0]
    elif days_ago > 3:
        status = rng.choice(("open", "pending", "solved"))
    else:
        status = rng.choice(("new", "open"))
    touched = created + timedelta(minutes=rng.randint(5, 60 * 24 * min(days_ago, 10)))
    return {
        "ticket_id": 0,
        "requester_email": email,
        "requester_name": person.full_name,
        "subject": subject,
        "status": status,
        "priority": priority,
        "channel": rng.choices(("phone", "email", "chat", "web"), weights=(3, 4, 3, 2))[0],
        "created_at": iso_timestamp(created),
        "updated_at": iso_timestamp(min(touched, moment(today, 0, 0))),
        "handling_minutes": minutes,
    }
