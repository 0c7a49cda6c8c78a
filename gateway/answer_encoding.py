"""Encoding a huge answer's long lists a slice at a time, so other requests are served meanwhile.

``orjson.dumps`` of a 7 MB answer (one customer's 16,556 orders) holds the event
loop for 26-36 ms, and eight such answers finishing together stalled every other
request for their sum. A worker thread would not help: orjson holds the GIL for
the whole document. Instead the long lists near the top of the answer are
encoded here, ``SLICE_BYTES`` at a time with a turn of the loop between slices,
and put back as ``orjson.Fragment``s: the final ``orjson.dumps`` of the response
copies their bytes and encodes only the rest. The bytes sent are the same.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

LONG_LIST_ITEMS = 500
"""Lists with at least this many items are encoded in slices; shorter ones with the answer."""

SLICE_BYTES = 256 * 1024
"""About how much JSON one slice encodes between two turns of the event loop (~1 ms)."""

FIRST_SLICE_ITEMS = 50
"""Items in a long list's first slice, whose size sets how many items the next ones take."""

LOOKED_AT = 2_000
"""Containers looked into for long lists at most."""

LONGEST_LIST = "longest_list"
"""The request context's ``extra`` key for the most items any one list of the answer holds
(``CompletionBudget.longest``, stored by demand control when execution ends)."""


async def sliced_answer(data: Any, longest_list: int | None = None) -> Any:
    """``data`` with its long lists (reached within ``LOOKED_AT`` containers) encoded already.

    The same JSON when the response is encoded; dicts on the way to a long list
    are copied, never changed in place. ``longest_list``, when the completion
    counted it, says whether any list is long at all: the usual answer is then
    not looked into.
    """
    if not isinstance(data, dict) or (longest_list is not None and longest_list < LONG_LIST_ITEMS):
        return data
    finder = _LongLists()
    found = finder.paths(data)
    if not found:
        return data
    for path, items in found:
        data = _replaced(data, path, await _encoded_in_slices(items))
    return data


class _LongLists:
    """Finds long lists, breadth-first, looking into at most ``LOOKED_AT`` containers."""

    def paths(self, data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], list[Any]]]:
        found: list[tuple[tuple[str | int, ...], list[Any]]] = []
        queue: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
        looked = 0
        while queue and looked < LOOKED_AT:
            path, value = queue.pop(0)
            looked += 1
            if isinstance(value, dict):
                queue.extend(
                    ((*path, key), child)
                    for key, child in value.items()
                    if isinstance(child, dict | list)
                )
            elif len(value) >= LONG_LIST_ITEMS:
                found.append((path, value))
            else:
                queue.extend(
                    ((*path, index), child)
                    for index, child in enumerate(value)
                    if isinstance(child, dict | list)
                )
        return found


async def _encoded_in_slices(items: list[Any]) -> orjson.Fragment:
    parts = [orjson.dumps(items[:FIRST_SLICE_ITEMS])[1:-1]]
    per_item = max(1, len(parts[0]) // FIRST_SLICE_ITEMS)
    step = max(1, SLICE_BYTES // per_item)
    for start in range(FIRST_SLICE_ITEMS, len(items), step):
        await asyncio.sleep(0)
        parts.append(orjson.dumps(items[start : start + step])[1:-1])
    return orjson.Fragment(b"[" + b",".join(part for part in parts if part) + b"]")


def _replaced(value: Any, path: tuple[str | int, ...], by: Any) -> Any:
    """``value`` with the item at ``path`` replaced by ``by``; containers on the way copied."""
    if not path:
        return by
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, by)}
    copied = list(value)
    assert isinstance(head, int)
    copied[head] = _replaced(copied[head], rest, by)
    return copied
