"""Matching a batch answer back to the keys that asked for it, whatever kind of source answered.

A source answers a batch with records in its own order and spelling; the system
layer needs, per key in order, the records that are that key's. Both sides are
compared in the form ``normalize_key`` gives, so "Ann@X.com" finds "ann@x.com".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sources.base import RawRecord
from sources.keys import normalize_key
from sources.records_path import value_at


def records_by_key(
    records: Iterable[RawRecord], keys: Sequence[str], kind: str, match_on: str
) -> list[list[RawRecord]]:
    """For each key in order, the records whose ``match_on`` field normalizes to it.

    ``keys`` are already normalized (the loaders send them that way); a key no
    record matches gets ``[]``, and records matching no key are dropped.
    """
    by_key: dict[str, list[RawRecord]] = {}
    for record in records:
        matched = normalize_key(kind, value_at(record, match_on))
        if matched is not None:
            by_key.setdefault(matched, []).append(record)
    return [by_key.get(key, []) for key in keys]
