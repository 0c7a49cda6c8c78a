"""Long lists of plain data completed in slices, giving the event loop a turn between them.

Completing plain data is synchronous (``leaves.fast_list``): a source that answers
17,000 orders for one customer completes for a few hundred milliseconds, and eight
such requests at once held a ``{ __typename }`` probe for 1.3 s. A list field whose
value is longer than ``SLICED_ITEMS`` is completed here instead: about ``SLICE_S``
of work at a time with a turn of the loop between slices, each part charged to
the request's budget before it is completed, so the item cap and the deadline
stop it as they stop any completion. One long list is completed at a time, in
the order they came: taking turns slice by slice would make all eight finish
last (measured: all past the 5 s deadline on a loaded core), one after the other
the first is done after one eighth of the time. A list waiting its turn that
passes its deadline stops at its first slice. Usual answers (a customer's
orders, a page of customers) never come here.

What the answer holds does not change: the same items, in the same order; a value
the fast way objects to (a null where none may be) is completed the careful way,
errors located, as ``leaves.careful_unless_fast`` does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from schema.execution.budget import CHECK_EVERY, RUNNING, CompletionStopped
from schema.execution.encoded_lists import encoded_list
from schema.execution.runner import Complete, ResponsePath, Run, complete_later

SLICED_ITEMS = CHECK_EVERY
"""A list field's value longer than this is completed in slices (shorter ones in one go)."""

SLICE_S = 0.004
"""About how long one slice runs before the loop gets a turn."""

CLOCK_EVERY = 128
"""Items completed between two looks at the clock within a slice."""

_TURNS: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = WeakKeyDictionary()


def _turn(loop: asyncio.AbstractEventLoop) -> asyncio.Lock:
    """The loop's one slot for a long completion: the others queue for it, first come first."""
    lock = _TURNS.get(loop)
    if lock is None:
        lock = _TURNS[loop] = asyncio.Lock()
    return lock


async def in_slices(
    run: Run,
    value: list[Any] | tuple[Any, ...],
    path: ResponsePath,
    item: Callable[[Any], Any],
    careful: Complete,
) -> Any:
    """``value`` completed item by item (``item``: the fast way), a slice per turn of the loop."""
    try:
        return await _fast_in_slices(value, item)
    except CompletionStopped:
        raise  # the request's budget is spent: no careful retry
    except Exception:
        return await complete_later(run, _ready(value), careful, path)


async def _fast_in_slices(value: list[Any] | tuple[Any, ...], item: Callable[[Any], Any]) -> Any:
    budget = RUNNING.get()
    clock = time.perf_counter
    completed: list[Any] = []
    encoded = encoded_list()  # each slice's JSON, when the answer goes out as JSON
    index, total = 0, len(value)
    async with _turn(asyncio.get_running_loop()):
        if budget is not None:
            budget.note_length(total)
            budget.check()  # the deadline may have passed while it waited its turn
        while True:
            ends = clock() + SLICE_S
            while index < total:
                part = value[index : index + CLOCK_EVERY]
                if budget is not None:
                    budget.charge(len(part))
                if encoded is None:
                    completed += [item(entry) for entry in part]
                else:
                    encoded.add([item(entry) for entry in part])
                index += len(part)
                if clock() >= ends:
                    break
            if index >= total:
                return completed if encoded is None else encoded.fragment()
            await asyncio.sleep(0)  # other requests' work and I/O, between two slices


async def _ready(value: Any) -> Any:
    return value
