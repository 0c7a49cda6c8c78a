"""US phone numbers as each system happens to write them, and the key they are matched on."""

from __future__ import annotations

from random import Random

import phonenumbers

PHONE_STYLES: tuple[str, ...] = ("paren", "spaced", "dotted", "bare", "e164", "dashed")
"""`(212) 555-0143`, `+1 212 555 0143`, `212.555.0143`, `2125550143`, `+12125550143`,
`1-212-555-0143`, in that order."""


def format_phone(digits: str, style: str) -> str:
    """Write a 10-digit US number (`2125550143`) in one of PHONE_STYLES."""
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    if style == "paren":
        return f"({area}) {exchange}-{line}"
    if style == "spaced":
        return f"+1 {area} {exchange} {line}"
    if style == "dotted":
        return f"{area}.{exchange}.{line}"
    if style == "bare":
        return digits
    if style == "e164":
        return f"+1{digits}"
    if style == "dashed":
        return f"1-{area}-{exchange}-{line}"
    raise ValueError(f"unknown phone style {style!r}")


def other_style(rng: Random, style: str) -> str:
    """A style different from `style`, so two systems never agree on the format by accident."""
    return rng.choice([candidate for candidate in PHONE_STYLES if candidate != style])


def phone_lookup_key(text: str) -> str:
    """The last 10 digits: how the CRM matches a phone given in any format against stored ones."""
    return phonenumbers.normalize_digits_only(text)[-10:]
