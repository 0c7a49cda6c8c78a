"""Matching a batch answer back to the keys that asked for it, whatever kind of source answered.

A source answers a batch with records in its own order and spelling; the system
layer needs, per key in order, the records that are that key's. Both sides are
compared in the form ``normalize_key`` gives, so "Ann@X.com" finds "ann@x.com".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sources.base import RawRecord
from sources.key_formats import SentKeys, asked_key
from sources.keys import normalize_key
from sources.records_path import value_at


@dataclass(slots=True, frozen=True)
class Matched:
    """An answer split by key, and how many of its records were no key's."""

    by_key: list[list[RawRecord]]
    """For each key asked, in order, its records (``[]`` when none)."""
    unasked: int
    """Records whose key is one nobody asked for (dropped)."""
    keyless: int
    """Records without a usable ``match_on`` value (dropped)."""


def match_records(
    records: Iterable[RawRecord],
    keys: Sequence[str],
    kind: str,
    match_on: str,
    sent: SentKeys | None = None,
) -> Matched:
    """Each key's records, compared in ``normalize_key`` form, and counts of the dropped ones.

    ``keys`` are already normalized (the loaders send them that way). With a
    lookup's ``key_format``, ``sent`` maps the forms sent back to these keys. A
    record for a key not asked is never handed to another key: it is dropped
    and counted.
    """
    asked = set(keys)
    by_key: dict[str, list[RawRecord]] = {}
    unasked = keyless = 0
    # A batch's records repeat their keys (a customer's dozen orders): each text once.
    normalized: dict[str, str | None] = {}
    for record in records:
        value = value_at(record, match_on)
        if sent is None:
            if type(value) is str:
                matched = normalized.get(value, "")  # "": not seen (no key normalizes to "")
                if matched == "":
                    matched = normalized[value] = normalize_key(kind, value)
            else:
                matched = normalize_key(kind, value)
        elif (matched := asked_key(kind, value, asked, sent)) is None:
            matched = None if normalize_key(kind, value) is None else ""
        if matched is None:
            keyless += 1
        elif matched in asked:
            by_key.setdefault(matched, []).append(record)
        else:
            unasked += 1
    return Matched([by_key.get(key, []) for key in keys], unasked, keyless)


def records_by_key(
    records: Iterable[RawRecord], keys: Sequence[str], kind: str, match_on: str
) -> list[list[RawRecord]]:
    """For each key in order, the records whose ``match_on`` field normalizes to it.

    A key no record matches gets ``[]``; records matching no key are dropped
    (``match_records`` also counts them).
    """
    return match_records(records, keys, kind, match_on).by_key
