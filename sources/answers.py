"""Checking a source's records against the keys asked, before anyone serves or caches them.

Whatever kind of source answered, a record reaches a key only when it is that
key's: matched by ``match_on``, or, for sources that answer in the order asked
(``match_on: position``), at that key's place and, where the source repeats
the key (``echo``), repeating this key. A record for a key nobody asked is
dropped and counted; a positional record that repeats another key is an error
for its key, never another customer's answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sources.base import RawRecord
from sources.config import KEY_PARTS, WHOLE_KEY, Lookup
from sources.errors import SourceBadResponse
from sources.key_formats import SentKeys, asked_key
from sources.keys import normalize_key
from sources.matching import match_records
from sources.metrics import RECORDS_DROPPED
from sources.records_path import value_at

KeyAnswer = list[RawRecord] | SourceBadResponse
"""One key's records, or the bad response that stands in for them."""


def records_for_keys(
    source: str,
    entity: str,
    lookup: Lookup,
    kind: str,
    keys: Sequence[str],
    records: list[RawRecord],
    sent: SentKeys | None = None,
) -> list[KeyAnswer]:
    """For each key in order, its records; raises ``SourceBadResponse`` for a malformed batch.

    A batch is malformed when it cannot be matched at all: a positional answer
    with another number of records than keys, or records none of which carries
    a ``match_on`` value (the config names the wrong field, or the source
    changed its shape). One wrong record of a positional batch fails its key only.
    ``sent``: the lookup's ``key_format`` forms of ``keys``, which records may echo.
    """
    match_on = lookup.match_on
    if match_on is None:  # a per-key lookup without a check: the answer is the key's
        return [records]
    if lookup.by_position and lookup.per_key:  # one request per key: its records are its own
        for index, record in enumerate(records):
            checked = _echo_checked(source, entity, lookup, kind, index, keys[0], record, sent)
            if isinstance(checked, SourceBadResponse):
                return [checked]
        return [records]
    if lookup.by_position:
        if len(records) != len(keys):
            raise SourceBadResponse(
                source, f"answered {len(records)} records for {len(keys)} keys", entity=entity
            )
        return [
            _echo_checked(source, entity, lookup, kind, index, key, record, sent)
            for index, (key, record) in enumerate(zip(keys, records, strict=True))
        ]
    matched = match_records(records, keys, kind, match_on, sent)
    if records and matched.keyless == len(records):
        raise SourceBadResponse(
            source,
            f"none of the {len(records)} records has a '{match_on}' value (match_on)",
            entity=entity,
        )
    if matched.unasked:
        RECORDS_DROPPED.labels(source, entity, "unasked").inc(matched.unasked)
    if matched.keyless:
        RECORDS_DROPPED.labels(source, entity, "keyless").inc(matched.keyless)
    return list(matched.by_key)


def _echo_checked(
    source: str,
    entity: str,
    lookup: Lookup,
    kind: str,
    index: int,
    key: str,
    record: RawRecord,
    sent: SentKeys | None = None,
) -> KeyAnswer:
    """``[record]`` when every echoed part repeats this key's; else the error for this key.

    The message names the part and the position, not the values: keys are
    customers' emails and places.
    """
    if not lookup.echo:
        return [record]
    parts = KEY_PARTS.get(kind)
    asked = dict(zip(parts, key.split(","), strict=False)) if parts else {WHOLE_KEY: key}
    for part, path in lookup.echo.items():
        echoed = value_at(record, path)
        if sent is not None and part == WHOLE_KEY and asked_key(kind, echoed, (key,), sent) == key:
            continue
        if not _same(kind, asked.get(part), echoed, lookup.echo_tolerance):
            return SourceBadResponse(
                source,
                f"record {index} is for another {part} than the one asked "
                f"(match_on: position, echo: {path})",
                entity=entity,
            )
    return [record]


def _same(kind: str, asked: str | None, echoed: object, tolerance: float) -> bool:
    """Whether an echoed value repeats the asked one: numbers within ``tolerance``, else keys."""
    if asked is None or echoed is None or isinstance(echoed, bool):
        return False
    if isinstance(echoed, int | float):
        try:
            number = float(asked)
        except ValueError:
            return False
        return math.isfinite(number) and abs(number - echoed) <= tolerance + 1e-9
    return normalize_key(kind if kind not in KEY_PARTS else "id", echoed) == asked
