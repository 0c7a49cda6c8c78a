"""Street lines and names in one comparable form: case, punctuation and abbreviations ironed out.

"123 Main St" and "123 MAIN STREET" are the same address written two ways: both
become ``123 main st``. Only the USPS suffixes and directions that customer systems
actually vary on are in the table; anything else is compared as written.
"""

from __future__ import annotations

import re
import unicodedata

STREET_WORDS: dict[str, str] = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "terrace": "ter",
    "highway": "hwy",
    "parkway": "pkwy",
    "circle": "cir",
    "square": "sq",
    "apartment": "apt",
    "suite": "ste",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}
"""Spelled-out street words and the USPS abbreviation each is compared as (USPS Pub. 28)."""

_NOT_WORD = re.compile(r"[^\w\s]")


def plain_text(value: str | None) -> str:
    """Case-folded, accents and punctuation removed, spaces collapsed ("" for None)."""
    if not value:
        return ""
    letters = value
    if not value.isascii():
        decomposed = unicodedata.normalize("NFKD", value)
        letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", letters.casefold()).split())


def street_key(street: str | None) -> str:
    """A street line in the form two systems' spellings of it share: ``123 main st``."""
    return " ".join(STREET_WORDS.get(word, word) for word in plain_text(street).split())


def house_number(street: str | None) -> str:
    """The leading number of a street line ("" when it has none)."""
    words = plain_text(street).split()
    return words[0] if words and words[0].isdigit() else ""


def postcode_key(postcode: str | None) -> str:
    """A postcode without spaces or case; a US ZIP+4 compares as its five digits."""
    text = "".join(plain_text(postcode).split())
    if len(text) == 9 and text.isdigit():
        return text[:5]
    return text
