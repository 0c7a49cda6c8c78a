"""The second customer system: the sales team's contact book, the same people written its own way.

Where the CRM is flat, title-cased and ISO-dated, the contact book nests names,
contact details and addresses, shouts names in capitals, writes dates
DD/MM/YYYY and phones in national format, and has its own ids (``K-…``). Some
people are only in one of the two; some records carry the usual mess (a typo,
given and family name swapped, a move, "Street" where the CRM says "St", a
plus-addressed email), and a few are traps a matcher must not fall into: a
household member on the same phone and address, and a stranger with a common
name. ``ContactBookTruth`` says who is who, so tests and benchmarks never guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any

from sources.demo.world.geography import CITIES, Address, random_address
from sources.demo.world.names import FIRST_NAMES, misspell
from sources.demo.world.people import Person
from sources.demo.world.phones import format_phone

JsonRecord = dict[str, Any]

IDENTITY_CASES: tuple[str, ...] = (
    "swapped_names",
    "contact_book_typo",
    "moved_house",
    "street_spelled_out",
    "plus_addressed_email",
    "household_phone",
    "common_name",
    "contact_book_only",
)
"""One planted identity case each, chosen by the seed (``IdentityCase``); the last is a guest."""

IN_BOOK = 0.8
"""Share of CRM people the contact book also holds."""


@dataclass(slots=True, frozen=True)
class IdentityCase:
    """A planted identity case: the CRM ids and contact-book keys involved, and the verdict.

    ``same_person`` lists the (crm id, contact key) pairs that are one person;
    ``different`` the pairs that look alike but are two people.
    """

    case: str
    crm_ids: tuple[str, ...]
    contact_keys: tuple[str, ...]
    same_person: tuple[tuple[str, str], ...] = ()
    different: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True, frozen=True)
class ContactBookTruth:
    """Ground truth: which person (``Person.index``) each contact-book key is."""

    person_of_key: dict[str, int] = field(default_factory=dict)
    cases: tuple[IdentityCase, ...] = ()

    def case(self, name: str) -> IdentityCase:
        for case in self.cases:
            if case.case == name:
                return case
        raise KeyError(name)


def birth_dates(rng: Random, people: list[Person], today: date) -> list[date]:
    """Everyone's date of birth (adults, 18 to 85), in the order of ``people``."""
    return [today - timedelta(days=rng.randint(18 * 365, 85 * 365)) for _ in people]


def national_ids(rng: Random, people: list[Person]) -> list[str]:
    """Everyone's national id (nine digits, all different), in the order of ``people``."""
    return [f"{n:09d}" for n in rng.sample(range(100_000_000, 900_000_000), len(people))]


NATIONAL_ID_NOTED = 5
"""The contact book notes the national id of every person but one in this many (by index)."""


def contact_book(
    rng: Random,
    people: list[Person],
    born: list[date],
    traps: int = 0,
    in_book: float = IN_BOOK,
    ids: Sequence[str] = (),
) -> tuple[list[JsonRecord], ContactBookTruth]:
    """The contact book's records (shuffled, numbered ``K-1``…) and the truth about them.

    ``traps`` more housemates and namesakes than the two planted (the accuracy
    benchmark's labelled set asks for many). ``ids`` (by ``Person.index``): the
    national ids it notes, digits only, for most people (after every random draw);
    housemates and namesakes are entered without one.
    """
    # Apart from the CRM's own planted people, but for the one whose CRM street is abbreviated.
    unplanted = [p for p in people if p.crm_id is not None and p.role is None]
    guests = [p for p in people if p.crm_id is None]
    drawn = [c for c in IDENTITY_CASES if c not in ("street_spelled_out", "contact_book_only")]
    planted = dict(zip(drawn, rng.sample(unplanted, len(drawn)), strict=True))
    planted["street_spelled_out"] = next(p for p in people if p.role == "street_abbreviation")
    planted["contact_book_only"] = rng.choice(guests)
    role_of = {person.index: case for case, person in planted.items()}
    entries: list[tuple[JsonRecord, int, str | None]] = []
    for person in people:
        case = role_of.get(person.index)
        kept = person.crm_id is not None and rng.random() < in_book
        if case is not None or (person.crm_id is None and rng.random() < 0.5):
            kept = True
        if not kept:
            continue
        record = _record(rng, person, born[person.index], case)
        if ids and person.index % NATIONAL_ID_NOTED:
            record["ids"]["ssn"] = ids[person.index]
        entries.append((record, person.index, case))
    entries.extend(_traps(rng, planted, born, len(people)))
    for number in range(traps):
        host, namesake = rng.sample(unplanted, 2)
        more = _traps(rng, {"household_phone": host, "common_name": namesake}, born, len(people))
        entries.extend((record, index + 2 * (number + 1), None) for record, index, _ in more)
    rng.shuffle(entries)
    truth: dict[str, int] = {}
    keys_of_case: dict[str, list[str]] = {}
    for number, (record, index, case) in enumerate(entries, start=1):
        key = f"K-{number}"
        record["key"] = key
        truth[key] = index
        if case is not None:
            keys_of_case.setdefault(case, []).append(key)
    records = [{"key": record.pop("key"), **record} for record, _, _ in entries]
    return records, ContactBookTruth(truth, _cases(planted, keys_of_case, truth))


def _record(rng: Random, person: Person, born: date, case: str | None) -> JsonRecord:
    """One person as the contact book writes them, with the noise real entry adds."""
    given, family = person.first_name, person.last_name
    if case == "swapped_names" or (case is None and rng.random() < 0.04):
        given, family = family, given
    if case == "contact_book_typo" or (case is None and rng.random() < 0.04):
        family = misspell(family)
    if case is None and rng.random() < 0.02:
        given = misspell(given)
    address = person.address
    if case == "moved_house" or (case is None and rng.random() < 0.06):
        address = random_address(rng, rng.choice(CITIES))
    email: str | None = person.email
    if case == "plus_addressed_email" or (case is None and rng.random() < 0.05):
        local, _, domain = person.email.partition("@")
        email = f"{local}+sales@{domain}"
    elif case is None and rng.random() < 0.08:
        email = None
    phone: str | None = format_phone(person.phone_digits, "paren")
    if case is None and rng.random() < 0.08:
        phone = None
    if case is None and rng.random() < 0.03:
        email = phone = None  # entered from a business card: name and address only
    if case is None and rng.random() < 0.03:
        born = _misdated(rng, born)
    record = _written(given, family, born, email, phone, address, spelled_out=True)
    if case is None and rng.random() < 0.04:
        record["born"] = None
    if person.crm_id is not None and case is None and rng.random() < 0.25:
        record["refs"] = {"crm": person.crm_id}
    return record


def _misdated(rng: Random, born: date) -> date:
    """A date of birth typed wrong: day and month the other way round, or a day off."""
    if born.day <= 12 and born.day != born.month and rng.random() < 0.5:
        return born.replace(month=born.day, day=born.month)
    return born + timedelta(days=rng.choice((-1, 1)))


def _written(
    given: str,
    family: str,
    born: date,
    email: str | None,
    phone: str | None,
    address: Address,
    *,
    spelled_out: bool,
) -> JsonRecord:
    return {
        "name": {"given": given.upper(), "family": family.upper()},
        "born": born.strftime("%d/%m/%Y"),
        "contact": {"email": email, "phone": phone},
        "address": {
            "line1": address.street(abbreviated=not spelled_out).upper(),
            "locality": address.city.name.lower(),
            "region": address.city.state.lower(),
            "postcode": address.postal_code,
        },
        "refs": {},
        "ids": {"ssn": None},
    }


def _traps(
    rng: Random, planted: dict[str, Person], born: list[date], people: int
) -> list[tuple[JsonRecord, int, str | None]]:
    """People only the contact book knows, who look like a CRM person but are not them."""
    host = planted["household_phone"]
    others = [name for name in FIRST_NAMES if name != host.first_name]
    housemate = _written(
        rng.choice(others),
        host.last_name,
        born[host.index] - timedelta(days=rng.randint(400, 9000)),
        None,
        format_phone(host.phone_digits, "dotted"),
        host.address,
        spelled_out=True,
    )
    namesake = planted["common_name"]
    elsewhere = rng.choice([c for c in CITIES if c != namesake.address.city])
    stranger = _written(
        namesake.first_name,
        namesake.last_name,
        born[namesake.index] - timedelta(days=rng.randint(400, 9000)),
        f"{namesake.first_name.lower()}{rng.randint(10, 99)}@example.org",
        format_phone(f"{elsewhere.area_codes[0]}555{rng.randint(1000, 9999)}", "paren"),
        random_address(rng, elsewhere),
        spelled_out=True,
    )
    # Indices past everyone's: people of the contact book alone, unknown to every other system.
    return [(housemate, people, "household_phone"), (stranger, people + 1, "common_name")]


def _cases(
    planted: dict[str, Person], keys_of_case: dict[str, list[str]], truth: dict[str, int]
) -> tuple[IdentityCase, ...]:
    cases = []
    for name in IDENTITY_CASES:
        person = planted[name]
        crm_id = person.crm_id or ""
        keys = tuple(sorted(keys_of_case.get(name, ())))
        same = tuple((crm_id, k) for k in keys if truth[k] == person.index)
        different = tuple((crm_id, k) for k in keys if truth[k] != person.index)
        if name == "contact_book_only":
            crm_ids: tuple[str, ...] = ()
            same, different = (), ()
        else:
            crm_ids = (crm_id,)
        cases.append(IdentityCase(name, crm_ids, keys, same, different))
    return tuple(cases)
