"""How lookup keys and the records' matching fields are normalized before they are compared.

Source systems store the same phone or email in many spellings; matching a batch
response back to its keys must not depend on that.
"""

from __future__ import annotations

import functools
from datetime import date

import phonenumbers

DEFAULT_REGION = "US"

MAX_PHONE_LENGTH = 64
"""Longer text is no phone number in any spelling (E.164 has 15 digits; extensions add a few)."""
MAX_EMAIL_LENGTH = 320
"""RFC 3696's limit: 64 characters of local part, @, 255 of domain."""
MAX_KEY_LENGTH = 1_024
"""Ids, handles and other keys longer than this are refused rather than sent to a source."""

_SEARCHES = frozenset(("postcode", "surname", "given_name", "birth_date", "surname_soundex"))
"""``sources.config.SEARCH_KINDS`` (config imports this module, not the other way)."""


def normalize_phone(value: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of a phone number in any common format, or None if it can't be one.

    Text longer than ``MAX_PHONE_LENGTH`` is None before any parsing, so an
    attacker-sized string costs neither CPU nor a place in the memo.
    """
    if len(value) > MAX_PHONE_LENGTH:
        return None
    return _parsed_phone(value, region)


@functools.lru_cache(maxsize=16_384)
def _parsed_phone(value: str, region: str) -> str | None:
    """Memoized: parsing is the costly part of matching a caller, and the same numbers
    come back all day (repeat callers, the CRM's records in answers). At most 16,384
    entries of at most ``MAX_PHONE_LENGTH`` characters: a few MB, whatever is asked.
    """
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    # IS_POSSIBLE only: a local-only number ("555-0132") has no area code, so its
    # "E.164" form would be one key for that number in every area code.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(value: str) -> str | None:
    """Trimmed and case-folded; None without an ``@`` or longer than ``MAX_EMAIL_LENGTH``."""
    value = value.strip()
    if len(value) > MAX_EMAIL_LENGTH:
        return None
    return value.casefold() if "@" in value else None


def normalize_handle(value: str) -> str | None:
    if len(value) > MAX_KEY_LENGTH:
        return None
    value = value.strip().lstrip("@").casefold()
    return f"@{value}" if value else None


def normalize_search(kind: str, text: str) -> str | None:
    """A search value in canonical form: case-folded, spaces collapsed; a date as ISO.

    ``birth_date`` takes ISO dates only (``1985-03-14``); a date or datetime object
    is written so. ``surname_soundex`` codes are upper case (``L120``).
    """
    if len(text) > MAX_KEY_LENGTH:
        return None
    text = " ".join(text.split())
    if kind == "birth_date":
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None
    if kind == "surname_soundex":
        return text.upper() or None
    return text.casefold() or None


def normalize_key(kind: str, value: object) -> str | None:
    """The canonical form used both for the keys we send and the fields we match on."""
    if value is None:
        return None
    if kind in _SEARCHES:
        return normalize_search(kind, value.isoformat() if isinstance(value, date) else str(value))
    text = str(value)
    if kind == "phone":
        return normalize_phone(text)
    if kind == "email":
        return normalize_email(text)
    if kind == "handle":
        return normalize_handle(text)
    if len(text) > MAX_KEY_LENGTH:
        return None
    text = text.strip()
    return text or None
