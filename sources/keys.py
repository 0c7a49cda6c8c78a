"""How lookup keys and the records' matching fields are normalized before they are compared.

Source systems store the same phone or email in many spellings; matching a batch
response back to its keys must not depend on that.
"""

from __future__ import annotations

import functools

import phonenumbers

DEFAULT_REGION = "US"


@functools.lru_cache(maxsize=16_384)
def normalize_phone(value: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of a phone number in any common format, or None if it can't be one.

    Memoized: parsing is the costly part of matching a caller, and the same
    numbers come back all day (repeat callers, the CRM's records in answers).
    """
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(value: str) -> str | None:
    value = value.strip()
    return value.casefold() if "@" in value else None


def normalize_handle(value: str) -> str | None:
    value = value.strip().lstrip("@").casefold()
    return f"@{value}" if value else None


def normalize_key(kind: str, value: object) -> str | None:
    """The canonical form used both for the keys we send and the fields we match on."""
    if value is None:
        return None
    text = str(value)
    if kind == "phone":
        return normalize_phone(text)
    if kind == "email":
        return normalize_email(text)
    if kind == "handle":
        return normalize_handle(text)
    text = text.strip()
    return text or None
