"""Conflicts between one person's records: real ones, and those that are only format.

"123 Main St" vs "123 MAIN STREET", "(212) 555-0143" vs "+1 212 555 0143", an
email in another case: the same value written differently (``FORMAT_ONLY``).
Another street, another number, another name: a ``REAL`` conflict someone should
fix. A field a record leaves empty is no conflict. Pure functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from resolvers.process.addresses import plain_text, postcode_key, street_key
from resolvers.process.matching import DEFAULT_SETTINGS, MatchSettings, national_id_key
from resolvers.system.records import CustomerProfile
from sources.keys import normalize_email, normalize_phone


class ConflictKind(Enum):
    FORMAT_ONLY = "FORMAT_ONLY"
    REAL = "REAL"


@dataclass(slots=True, frozen=True)
class HeldValue:
    """What one system's record holds for a field, as that system writes it."""

    system: str
    record_id: str
    value: str


@dataclass(slots=True, frozen=True)
class Conflict:
    field: str
    kind: ConflictKind
    values: tuple[HeldValue, ...]


FIELDS = ("name", "email", "phone", "address", "birthDate", "nationalId")
"""The fields compared, in the order conflicts are listed."""


def masked(national_id: str) -> str:
    """A national id as a conflict shows it: its last four digits, the rest ``•``, as written."""
    digits = sum(c.isdigit() for c in national_id)
    seen = 0
    shown = []
    for c in national_id:
        if c.isdigit():
            seen += 1
            shown.append(c if seen > digits - 4 else "•")
        else:
            shown.append(c)
    return "".join(shown)


SHOWN: dict[str, Callable[[str], str]] = {"nationalId": masked}
"""Fields whose values a conflict shows only in part (compared whole)."""

Written = Callable[[CustomerProfile], str | None]
Canonical = Callable[[str], str]


def conflicts(
    profiles: Sequence[CustomerProfile],
    *,
    include_format_only: bool = False,
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> list[Conflict]:
    """The fields on which ``profiles`` (one person's records) disagree, in ``FIELDS`` order."""
    found = []
    for field, (written, canonical) in _compared(settings).items():
        held = [
            HeldValue(p.source, p.id, value)
            for p in profiles
            if (value := written(p)) is not None and value.strip()
        ]
        if len({h.value for h in held}) < 2:
            continue
        kind = ConflictKind.REAL
        if len({canonical(h.value) for h in held}) == 1:
            kind = ConflictKind.FORMAT_ONLY
        if kind is ConflictKind.REAL or include_format_only:
            shown = SHOWN.get(field)
            if shown is not None:
                held = [HeldValue(h.system, h.record_id, shown(h.value)) for h in held]
            found.append(Conflict(field, kind, tuple(held)))
    return found


def _compared(settings: MatchSettings) -> dict[str, tuple[Written, Canonical]]:
    def email(value: str) -> str:
        box = normalize_email(value) or value
        local, _, domain = box.partition("@")
        if settings.plus_addressing:
            local = local.split("+", 1)[0]
        return f"{local}@{domain}"

    def phone(value: str) -> str:
        return normalize_phone(value, settings.default_region) or value

    return {
        "name": (_name, plain_text),
        "email": (lambda p: p.email, email),
        "phone": (lambda p: p.phone, phone),
        "address": (_address, _address_key),
        "birthDate": (lambda p: p.birth_date.isoformat() if p.birth_date else None, str),
        "nationalId": (lambda p: p.national_id, national_id_key),
    }


def _name(profile: CustomerProfile) -> str | None:
    parts = [part for part in (profile.first_name, profile.last_name) if part]
    return " ".join(parts) or None


_SEPARATOR = " | "


def _address(profile: CustomerProfile) -> str | None:
    if not profile.street:
        return None
    region = " ".join(part for part in (profile.state, profile.postal_code) if part)
    return ", ".join(part for part in (profile.street, profile.city, region) if part)


def _address_key(value: str) -> str:
    """Street, city, state and ZIP of ``_address``'s line, each in comparable form."""
    street, _, rest = value.partition(", ")
    city, _, region = rest.rpartition(", ")
    state, _, postcode = region.rpartition(" ")
    return _SEPARATOR.join(
        (street_key(street), plain_text(city), plain_text(state), postcode_key(postcode))
    )
