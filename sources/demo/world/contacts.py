"""The CRM's view of the people: contacts (one person twice, on purpose) and their accounts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from random import Random
from typing import Any

from sources.demo.world.names import (
    COMPANY_KINDS,
    COMPANY_STEMS,
    INDUSTRIES,
    misspell,
    title_case_email,
)
from sources.demo.world.people import Person, account_count
from sources.demo.world.phones import format_phone, other_style
from sources.demo.world.timestamps import iso_timestamp

JsonRecord = dict[str, Any]


def ssn_written(digits: str) -> str:
    """A national id as the CRM writes it: ``123-45-6789``."""
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def crm_contacts(
    rng: Random,
    people: list[Person],
    customers: int,
    born: Sequence[date] = (),
    ids: Sequence[str] = (),
) -> list[JsonRecord]:
    """One contact per CRM person, plus a second, slightly wrong contact for `crm_duplicate`.

    ``born`` (by ``Person.index``) fills ``birth_date`` (ISO), ``ids`` the national
    id (``123-45-6789``), after every random draw.
    """
    contacts: list[JsonRecord] = []
    duplicates: list[JsonRecord] = []
    for person in people:
        if person.crm_id is None:
            continue
        contact = _contact(rng, person)
        if born:
            contact["birth_date"] = born[person.index].isoformat()
        if ids:
            contact["national_id"] = ssn_written(ids[person.index])
        contacts.append(contact)
        if person.role == "crm_duplicate":
            duplicates.append(_duplicate_of(rng, person, contact, customers + len(duplicates)))
    return contacts + duplicates


def crm_accounts(rng: Random, customers: int) -> list[JsonRecord]:
    """The companies contacts belong to; ids `A-501`… match `Person.account_id`."""
    names = [f"{stem} {kind}" for stem in COMPANY_STEMS for kind in COMPANY_KINDS]
    rng.shuffle(names)
    return [
        {
            "id": f"A-{501 + number}",
            "name": names[number % len(names)],
            "industry": rng.choice(INDUSTRIES),
            "tier": rng.choices(("gold", "silver", "bronze"), weights=(1, 3, 6))[0],
        }
        for number in range(account_count(customers))
    ]


def _contact(rng: Random, person: Person) -> JsonRecord:
    email_is_cased = person.role is None and rng.random() < 0.04
    abbreviated = person.role == "street_abbreviation" or rng.random() < 0.7
    address = person.address
    return {
        "id": person.crm_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": title_case_email(person.email) if email_is_cased else person.email,
        "phone": format_phone(person.phone_digits, person.crm_phone_style),
        "street": address.street(abbreviated=abbreviated),
        "city": address.city.name,
        "state": address.city.state,
        "postal_code": address.postal_code,
        "country": "US",
        "latitude": address.city.latitude,
        "longitude": address.city.longitude,
        "account_id": person.account_id,
        "twitter_handle": person.twitter_handle,
        "marketing_consent": person.index % 5 != 3,  # one in five said no (no draw: same world)
        "created_at": iso_timestamp(person.created_at),
        "updated_at": iso_timestamp(person.updated_at),
    }


def _duplicate_of(rng: Random, person: Person, original: JsonRecord, number: int) -> JsonRecord:
    """Entered again later by someone else: typo'd surname, shouted email, other phone format."""
    duplicate = dict(original)
    duplicate["id"] = f"C-{10001 + number}"
    duplicate["last_name"] = misspell(person.last_name)
    duplicate["email"] = person.email.upper()
    duplicate["phone"] = format_phone(person.phone_digits, other_style(rng, person.crm_phone_style))
    duplicate["twitter_handle"] = None
    duplicate["created_at"] = original["updated_at"]
    return duplicate
