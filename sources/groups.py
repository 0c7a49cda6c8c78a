"""Grouped answers: a batch endpoint that answers one group per key, the records inside it.

``[{"customer_id": "oc-1", "orders": [...]}, ...]`` is the shape batch APIs
(and GraphQL Mesh's batched ``@resolveTo``) use: the key is on the group, not
on each record. A group is filed under the key it names, compared in canonical
form (and through the lookup's ``key_format`` back to the key asked); a group
naming no key asked is dropped and counted, never filed under another key.
Groups without a key (``match_on: position``) are taken in the order asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from sources.base import RawRecord
from sources.errors import SourceBadResponse
from sources.key_formats import SentKeys, asked_key
from sources.metrics import RECORDS_DROPPED
from sources.records_path import records_at, value_at


class Group(BaseModel):
    """Where a grouped answer's groups, their keys and their records are.

    ``at``: the list of groups (a dotted path; "" the top level; default: the
    entity's ``records_at``). ``key``: the group field naming the key (omit
    with ``match_on: position``). ``records``: the group field holding the
    records (a list, or one object).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: str | None = None
    key: Annotated[str, Field(min_length=1)] | None = None
    records: Annotated[str, Field(min_length=1)]


def records_of_groups(
    source: str,
    entity: str,
    group: Group,
    kind: str,
    keys: Sequence[str],
    groups: list[dict[str, Any]],
    sent: SentKeys | None,
    *,
    by_position: bool,
) -> list[list[RawRecord] | SourceBadResponse]:
    """For each key in order, the records of its group(s); a group that fits no key is dropped.

    Raises ``SourceBadResponse`` for a batch that cannot be matched at all: a
    positional answer with another number of groups than keys, or groups none
    of which names a key.
    """
    if by_position or group.key is None:
        if len(groups) != len(keys):
            raise SourceBadResponse(
                source, f"answered {len(groups)} groups for {len(keys)} keys", entity=entity
            )
        return [_records_in(source, entity, group, item, i) for i, item in enumerate(groups)]
    asked = {key: index for index, key in enumerate(keys)}
    answers: list[list[RawRecord] | SourceBadResponse] = [[] for _ in keys]
    unasked = keyless = 0
    for index, item in enumerate(groups):
        named = value_at(item, group.key)
        key = asked_key(kind, named, asked, sent)
        if key is None:
            if named is None or isinstance(named, bool | dict | list):
                keyless += 1
            else:
                unasked += 1
            continue
        slot = asked[key]
        records = _records_in(source, entity, group, item, index)
        current = answers[slot]
        if isinstance(records, SourceBadResponse) or isinstance(current, SourceBadResponse):
            answers[slot] = records if isinstance(records, SourceBadResponse) else current
        else:
            current.extend(records)
    if groups and keyless == len(groups):
        raise SourceBadResponse(
            source,
            f"none of the {len(groups)} groups has a '{group.key}' value (group.key)",
            entity=entity,
        )
    if unasked:
        RECORDS_DROPPED.labels(source, entity, "unasked_group").inc(unasked)
    if keyless:
        RECORDS_DROPPED.labels(source, entity, "keyless_group").inc(keyless)
    return answers


def _records_in(
    source: str, entity: str, group: Group, item: dict[str, Any], index: int
) -> list[RawRecord] | SourceBadResponse:
    """A group's records: a list of objects, one object, or none (missing or null)."""
    inside = value_at(item, group.records)
    if inside is None:
        return []
    found = records_at(inside, "")
    if found is None:
        return SourceBadResponse(
            source,
            f"group {index}'s '{group.records}' is not a list of records (group.records)",
            entity=entity,
        )
    return found
