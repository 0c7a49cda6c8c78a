"""Blocking keys: what to ask the other customer systems' searches, from the record in hand.

No table is scanned: a person's candidates in another system are the records
that share one of these with them. The surname is searched by Soundex where the
system offers it (a typo keeps the code: Smith and Smiht are both S530), as
written where it does not. A record whose given and family names are swapped is
still found by its email, phone, postcode or birthday (then scored as swapped);
searching the given name as a surname too would double every search's answer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import jellyfish

from resolvers.process.addresses import plain_text, postcode_key
from resolvers.system.records import CustomerProfile
from sources.config import LINKED_BY

SEARCHED = ("email", "phone", "postcode", "surname_soundex", "surname", "birth_date")
"""The lookups asked for candidates, in order; a system is asked only those it declares,
and its ``link:<system>`` lookup by the ids a record has in ``<system>`` (a cross-reference
that system's records hold: the surest evidence there is)."""


def soundex(name: str | None) -> str:
    """American Soundex of a name's first word ("" for none)."""
    words = plain_text(name).split()
    return jellyfish.soundex(words[0]) if words and words[0].isalpha() else ""


def blocking_keys(
    profiles: Iterable[CustomerProfile], offered: Collection[str]
) -> dict[str, list[str]]:
    """Per lookup kind the system ``offered``, the values to ask it for these records.

    Soundex replaces the written surname when both are offered (it finds the
    typos too); nothing is asked twice.
    """
    found: dict[str, list[str]] = {kind: [] for kind in SEARCHED if kind in offered}
    for kind in sorted(offered):
        if kind.startswith(LINKED_BY):  # records holding our ids (``links`` of theirs)
            found[kind] = []

    def add(kind: str, value: str | None) -> None:
        if value and kind in found and value not in found[kind]:
            found[kind].append(value)

    for profile in profiles:
        add(f"{LINKED_BY}{profile.source}", profile.id)
        add("email", profile.email)
        add("phone", profile.phone)
        add("postcode", postcode_key(profile.postal_code))
        add("birth_date", profile.birth_date.isoformat() if profile.birth_date else None)
        if "surname_soundex" in found:
            add("surname_soundex", soundex(profile.last_name))
        else:
            add("surname", plain_text(profile.last_name))
    return {kind: values for kind, values in found.items() if values}
