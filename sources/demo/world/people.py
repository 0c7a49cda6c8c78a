"""The truth about each demo person, before any system writes it down its own way.

Every other generator starts from these `Person` records, so "the same person"
across systems is a fact of the generator, and the mess is added per system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from random import Random

from sources.demo.world.geography import CITIES, Address, main_street_address, random_address
from sources.demo.world.names import FIRST_NAMES, LAST_NAMES
from sources.demo.world.phones import PHONE_STYLES
from sources.demo.world.timestamps import moment

PLANTED_ROLES: tuple[str, ...] = (
    "phone_formats",
    "street_abbreviation",
    "email_case",
    "surname_typo",
    "crm_duplicate",
    "loses_money",
    "abandoned_cart_today",
    "negative_mention",
    "red_health",
    "champion",
    "no_orders",
)
"""One distinct person per planted case, chosen by the seed."""

PLANTED_PHONE_DIGITS = "5550102345"
EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org")
MIN_CUSTOMERS = 20


@dataclass(slots=True, frozen=True)
class Person:
    """One real person; `crm_id` is None for guests who never made it into the CRM."""

    index: int
    crm_id: str | None
    first_name: str
    last_name: str
    email: str
    phone_digits: str
    crm_phone_style: str
    address: Address
    account_id: str
    twitter_handle: str | None
    created_at: datetime
    updated_at: datetime
    shops: bool
    files_tickets: bool
    browses: bool
    role: str | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def account_count(customers: int) -> int:
    """How many CRM accounts (employers) the people are spread over."""
    return max(5, customers // 10)


def generate_people(rng: Random, customers: int, today: date) -> list[Person]:
    """`customers` CRM people (planted roles included), then a few guests with no CRM record."""
    if customers < MIN_CUSTOMERS:
        raise ValueError(f"customers must be at least {MIN_CUSTOMERS} to plant every case")
    role_by_index = dict(
        zip(
            rng.sample(range(customers), len(PLANTED_ROLES)),
            PLANTED_ROLES,
            strict=True,
        )
    )
    registry = _Registry()
    people = [
        _person(rng, registry, index, role_by_index.get(index), customers, today)
        for index in range(customers)
    ]
    guests = max(3, customers // 50)
    people.extend(
        _guest(rng, registry, customers + offset, customers, today) for offset in range(guests)
    )
    return people


class _Registry:
    """Keeps emails, phones and handles unique across the whole world."""

    def __init__(self) -> None:
        self.emails: set[str] = set()
        self.phones: set[str] = {PLANTED_PHONE_DIGITS}
        self.handles: set[str] = set()

    def email(self, rng: Random, first: str, last: str) -> str:
        first, last = first.lower(), last.lower()
        local = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}"))
        domain = rng.choice(EMAIL_DOMAINS)
        candidate = f"{local}@{domain}"
        while candidate in self.emails:
            candidate = f"{local}{rng.randint(2, 999)}@{domain}"
        self.emails.add(candidate)
        return candidate

    def phone(self, rng: Random, area_codes: tuple[str, ...]) -> str:
        while True:
            digits = f"{rng.choice(area_codes)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
            if digits not in self.phones:
                self.phones.add(digits)
                return digits

    def handle(self, rng: Random, first: str, last: str) -> str:
        base = rng.choice((f"{first}_{last}", f"{first}{last}", f"{first[0]}{last}")).lower()
        candidate = f"@{base}"
        while candidate in self.handles:
            candidate = f"@{base}{rng.randint(1, 99)}"
        self.handles.add(candidate)
        return candidate


def _person(
    rng: Random, registry: _Registry, index: int, role: str | None, customers: int, today: date
) -> Person:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    city = rng.choice(CITIES)
    if role == "street_abbreviation":
        address = main_street_address(rng, city)
    else:
        address = random_address(rng, city)
    if role == "phone_formats":
        phone, style = PLANTED_PHONE_DIGITS, "paren"
    else:
        phone = registry.phone(rng, city.area_codes)
        style = rng.choices(PHONE_STYLES, weights=(5, 2, 2, 1, 2, 1))[0]
    tweets = role in ("negative_mention", "red_health") or rng.random() < 1 / 3
    created_days_ago = rng.randint(30, 1800)
    created_at = moment(today, created_days_ago, rng.randrange(86400))
    updated_at = created_at + timedelta(days=rng.randint(0, created_days_ago - 1))
    return Person(
        index=index,
        crm_id=f"C-{10001 + index}",
        first_name=first,
        last_name=last,
        email=registry.email(rng, first, last),
        phone_digits=phone,
        crm_phone_style=style,
        address=address,
        account_id=f"A-{501 + rng.randrange(account_count(customers))}",
        twitter_handle=registry.handle(rng, first, last) if tweets else None,
        created_at=created_at,
        updated_at=updated_at,
        shops=role != "no_orders" and (role is not None or rng.random() < 0.9),
        files_tickets=role in ("loses_money", "red_health") or rng.random() < 0.6,
        browses=role == "abandoned_cart_today" or rng.random() < 0.7,
        role=role,
    )


def _guest(rng: Random, registry: _Registry, index: int, customers: int, today: date) -> Person:
    """Someone who bought, wrote to support or browsed without ever getting a CRM record."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    city = rng.choice(CITIES)
    channel = index % 3
    created_at = moment(today, rng.randint(1, 365), rng.randrange(86400))
    return Person(
        index=index,
        crm_id=None,
        first_name=first,
        last_name=last,
        email=registry.email(rng, first, last),
        phone_digits=registry.phone(rng, city.area_codes),
        crm_phone_style="bare",
        address=random_address(rng, city),
        account_id="",
        twitter_handle=None,
        created_at=created_at,
        updated_at=created_at,
        shops=channel == 0,
        files_tickets=channel == 1,
        browses=channel == 2,
        role="guest",
    )
