"""The foreign world: one seeded, deterministic set of people and each system's own records.

Every system numbers its customers its own way (CRM ``cx-…``, orders ``oc-…``,
billing ``BA-…``, support ``u…``), drawn independently so no id can be derived
from another; the CRM's contact holds the crosswalk. Some people are missing
from some systems (no order account, no billing account, never called support),
and a few CRM clerks typed the billing account in lower case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from typing import Any

from sources.demo.world.names import FIRST_NAMES, LAST_NAMES

JsonRecord = dict[str, Any]
CITIES: tuple[tuple[str, str], ...] = (
    ("Portland", "OR"), ("Austin", "TX"), ("Denver", "CO"), ("Madison", "WI"),
    ("Raleigh", "NC"), ("Tucson", "AZ"), ("Boise", "ID"), ("Albany", "NY"),
)  # fmt: skip
ORDER_STATES = ("delivered", "delivered", "delivered", "shipped", "processing", "cancelled")
TICKET_STATES = ("open", "pending", "solved", "closed", "closed")
URGENCIES = ("low", "normal", "high", "urgent")
CHANNELS = ("phone", "email", "chat")


@dataclass(frozen=True, slots=True)
class Person:
    """Who a customer is, and the id each system gave them (None: not a customer there)."""

    contact_id: str
    given_name: str
    family_name: str
    email: str
    mobile: str  # national form, 10 digits
    order_customer_id: str | None
    billing_account: str | None
    support_user_id: str | None


@dataclass(frozen=True, slots=True)
class ForeignWorld:
    """The people and every system's records, all derived from `seed` and `today`."""

    seed: int
    today: date
    people: tuple[Person, ...]
    contacts: tuple[JsonRecord, ...]
    orders: tuple[JsonRecord, ...]
    invoices: tuple[JsonRecord, ...]
    tickets: tuple[JsonRecord, ...]

    def person(self, contact_id: str) -> Person:
        return next(p for p in self.people if p.contact_id == contact_id)


def generate(seed: int = 917, customers: int = 200, today: date | None = None) -> ForeignWorld:
    """The world for `seed`; the same arguments give the same records, byte for byte."""
    day = today or datetime.now(UTC).date()
    rng = Random(f"foreign:{seed}")
    people = tuple(_people(rng, customers))
    contacts = tuple(_contact(rng, person, index) for index, person in enumerate(people))
    orders = tuple(_orders(rng, people, day))
    invoices = tuple(_invoices(rng, people, day))
    tickets = tuple(_tickets(rng, people, day))
    return ForeignWorld(seed, day, people, contacts, orders, invoices, tickets)


def _people(rng: Random, customers: int) -> list[Person]:
    order_numbers = rng.sample(range(10_000, 99_999), customers)
    billing_numbers = rng.sample(range(100_000, 999_999), customers)
    support_numbers = rng.sample(range(1_000, 99_999), customers)
    phones = rng.sample(range(2_000_000, 9_999_999), customers)
    people: list[Person] = []
    for index in range(customers):
        given, family = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people.append(
            Person(
                contact_id=f"cx-{index + 1:05d}",
                given_name=given,
                family_name=family,
                email=f"{given}.{family}.{index + 1}@foreign.example".lower(),
                mobile=f"{rng.choice(('503', '512', '720', '608'))}{phones[index]}",
                order_customer_id=None if index % 9 == 4 else f"oc-{order_numbers[index]}",
                billing_account=None if index % 7 == 3 else f"BA-{billing_numbers[index]}",
                support_user_id=None if index % 5 == 2 else f"u{support_numbers[index]}",
            )
        )
    return people


def _contact(rng: Random, person: Person, index: int) -> JsonRecord:
    city, state = CITIES[index % len(CITIES)]
    account = person.billing_account
    if account is not None and index % 6 == 1:
        account = account.lower()  # typed by hand; billing only knows upper case
    return {
        "contact_id": person.contact_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email_address": person.email,
        "mobile": person.mobile,
        "city": city,
        "region": state,
        "country_code": "US",
        "order_customer_id": person.order_customer_id,
        "billing_account": account,
        "support_user_id": person.support_user_id,
        "created": _stamp(datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(1500))),
    }


def _orders(rng: Random, people: tuple[Person, ...], today: date) -> list[JsonRecord]:
    records: list[JsonRecord] = []
    for person in people:
        if person.order_customer_id is None:
            continue
        for number in range(rng.randrange(0, 9)):
            placed = _moment(today, rng.randrange(0, 720), rng)
            records.append(
                {
                    "order_ref": f"{person.order_customer_id.upper()}-{number + 1:02d}",
                    "customer_id": person.order_customer_id,
                    "ordered_at": _stamp(placed),
                    "state": rng.choice(ORDER_STATES),
                    "grand_total": round(rng.uniform(8, 400), 2),
                    "currency": "USD",
                }
            )
    records.sort(key=lambda o: (o["ordered_at"], o["order_ref"]), reverse=True)
    return records


def _invoices(rng: Random, people: tuple[Person, ...], today: date) -> list[JsonRecord]:
    records: list[JsonRecord] = []
    for person in people:
        if person.billing_account is None:
            continue
        for number in range(rng.randrange(1, 5)):
            issued = today - timedelta(days=rng.randrange(0, 400))
            due = issued + timedelta(days=30)
            paid = issued < today - timedelta(days=60) or rng.random() < 0.5
            status = "paid" if paid else ("overdue" if due < today else "open")
            total = round(rng.uniform(20, 900), 2)
            records.append(
                {
                    "invoice_number": f"{person.billing_account}/{number + 1}",
                    "account": person.billing_account,
                    "issue_date": issued.isoformat(),
                    "due_date": due.isoformat(),
                    "total": total,
                    "paid": total if paid else 0.0,
                    "status": status,
                    "currency": "USD",
                }
            )
    return records


def _tickets(rng: Random, people: tuple[Person, ...], today: date) -> list[JsonRecord]:
    records: list[JsonRecord] = []
    for person in people:
        if person.support_user_id is None:
            continue
        for number in range(rng.randrange(0, 4)):
            opened = _moment(today, rng.randrange(0, 200), rng)
            records.append(
                {
                    "ticket": f"T-{person.support_user_id[1:]}-{number + 1}",
                    "requester": person.support_user_id,
                    "title": rng.choice(("Late parcel", "Refund", "Login", "Wrong size")),
                    "state": rng.choice(TICKET_STATES),
                    "urgency": rng.choice(URGENCIES),
                    "via": rng.choice(CHANNELS),
                    "opened_at": _stamp(opened),
                }
            )
    return records


def _moment(today: date, days_ago: int, rng: Random) -> datetime:
    midnight = datetime.combine(today - timedelta(days=days_ago), time(), tzinfo=UTC)
    return midnight + timedelta(minutes=rng.randrange(0, 24 * 60))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
