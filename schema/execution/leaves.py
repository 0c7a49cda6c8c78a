"""Leaf coercion exactly as graphql-core does it, and plain data completed in one go.

Values that are already what JSON needs (a ``str`` for a String, an ``int`` in
range for an Int, ...) pass untouched; everything else goes through the type's
own ``coerce_output_value``. An object whose selected fields are all plain
attributes is completed by straight-line code built once per selection.
"""

from __future__ import annotations

import datetime
import keyword
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql.pyutils import Undefined
from graphql.pyutils import inspect as graphql_inspect

from schema.execution.adapter import is_strawberry_isoformat
from schema.execution.budget import CHECK_EVERY, RUNNING, CompletionStopped, complete_long
from schema.execution.eager import Waiting
from schema.execution.fallback import NotCompilable
from schema.execution.runner import Complete, ResponsePath, Run
from schema.execution.slices import SLICED_ITEMS, in_slices

_INT_RANGE = range(-(2**31), 2**31)
_NATIVE: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}
_ISO_TYPES = (datetime.datetime, datetime.date, datetime.time)


def leaf_value(leaf_type: Any) -> Callable[[Any], Any]:
    """graphql-core's leaf coercion; values that are already what JSON needs pass as they are."""
    coerce = leaf_type.coerce_output_value

    def coerced(value: Any) -> Any:
        result = coerce(value)
        if result is Undefined or result is None:
            raise TypeError(
                f"Expected `{graphql_inspect(leaf_type)}.coerce_output_value("
                f"{graphql_inspect(value)})` to return non-nullable value, returned:"
                f" {graphql_inspect(result)}"
            )
        return result

    name = leaf_type.name
    if name == "Float":
        return lambda v: v if v is None or (type(v) is float and math.isfinite(v)) else coerced(v)
    if name == "Int":
        return lambda v: v if v is None or (type(v) is int and v in _INT_RANGE) else coerced(v)
    native = _NATIVE.get(name)
    if native is not None:
        return lambda v: v if v is None or type(v) is native else coerced(v)
    if is_strawberry_isoformat(coerce):  # Strawberry's Date, DateTime, Time
        return lambda v: (
            None if v is None else v.isoformat() if type(v) in _ISO_TYPES else coerced(v)
        )
    return lambda v: None if v is None else coerced(v)


def leaf_completer(leaf_type: Any) -> Complete:
    value = leaf_value(leaf_type)

    def complete_leaf(_run: Run, v: Any, _path: ResponsePath) -> Any:
        return value(v)

    return complete_leaf


class Unusual(Exception):
    """Plain data held something the careful completion must look at (a null, a wait)."""


Fast = Callable[[Any], Any]
"""Completes plain data in one go: no resolver, no wait, no path; anything unusual raises."""


def constant(value: Any) -> Fast:
    return lambda _ignored: value


def fast_non_null(inner: Fast) -> Fast:
    def non_null(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise Unusual
        return completed

    return non_null


def fast_list(item: Fast, non_null_items: bool = False) -> Fast:
    """A list of plain data, its length charged to the request's budget before it is completed.

    ``non_null_items``: the items are non-null (``[Order!]``); ``item`` completes them as
    nullable and the list is checked for a null once, not item by item.
    """

    running = RUNNING.get  # bound once: this runs per list

    def complete_list(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is not list and type(value) is not tuple:
            if isinstance(value, str | bytes) or not isinstance(value, Sequence):
                raise Unusual
        budget = running()
        if budget is not None:
            items = len(value)
            if items > CHECK_EVERY:
                return complete_long(budget, value, checked_item)
            budget.left -= items  # ``budget.charge``, inlined
            if items > budget.longest:
                budget.longest = items
            if budget.left < 0:
                budget.check()
        completed = [item(entry) for entry in value]
        # Completed items are JSON values (dicts, lists, str, numbers, bools): ``in``
        # compares them with None in C, and only None itself is equal to it.
        if non_null_items and None in completed:
            raise Unusual
        return completed

    checked_item = fast_non_null(item) if non_null_items else item
    return complete_list


@dataclass(slots=True, frozen=True)
class FastStep:
    """One selected field of a plain object: where its value is and how it completes."""

    key: str
    attribute: str
    complete: Fast
    """Completes the nullable value (leaves: graphql-core's coercion)."""
    non_null: bool
    ready: str | None
    """A test (on ``{v}``) that a value is already what JSON needs, or None: always complete."""


ISO_FORMAT = "iso"
"""``FastStep.ready`` of Strawberry's Date, DateTime and Time: formatted inline (``isoformat``)."""

READY: dict[str, str] = {
    "String": "type({v}) is str",
    "ID": "type({v}) is str",
    "Boolean": "type({v}) is bool",
    "Float": "type({v}) is float and {v} - {v} == 0.0",  # finite: inf and nan give nan
    "Int": "type({v}) is int and -2147483648 <= {v} <= 2147483647",
}


Shape = tuple[tuple[str, bool, str | None], ...]
"""What a plain object's generated code depends on: each step's attribute, nullness, ready test."""

MAX_SHAPES = 2048
"""Generated functions kept for reuse; past it, new shapes are still generated, not kept."""

_FACTORIES: dict[Shape, Callable[..., Fast]] = {}


def fast_object(steps: list[FastStep]) -> Fast:
    """Straight-line code completing one plain object: a read and a type test per field.

    The code is generated once per shape (the same selection of the same type, in
    this operation or any other) and bound to this selection's completers and
    response keys, which clients choose and which never enter the source text.
    """
    shape: Shape = tuple((step.attribute, step.non_null, step.ready) for step in steps)
    factory = _FACTORIES.get(shape)
    if factory is None:
        factory = _generate(shape)
        if len(_FACTORIES) < MAX_SHAPES:
            _FACTORIES[shape] = factory
    bound: list[Any] = []
    for step in steps:
        bound += (step.complete, step.key)
    completer: Fast = factory(*bound)
    return completer


def _generate(shape: Shape) -> Callable[..., Fast]:
    """A factory of ``fast_object`` functions for ``shape``, taking (completer, key) per step.

    Only attribute names (Python identifiers of the schema's types) enter the source.
    """
    parameters = ", ".join(f"c{index}, k{index}" for index in range(len(shape)))
    body = [
        f"def factory({parameters}):",
        "    def fast_object(value):",
        "        if value is None:",
        "            return None",
    ]
    for index, (attribute, non_null, ready) in enumerate(shape):
        if not attribute.isidentifier() or keyword.iskeyword(attribute):
            raise NotCompilable("unsupported", f"attribute {attribute!r}")
        v = f"v{index}"
        body.append(f"        {v} = value.{attribute}")
        if non_null:
            body += [f"        if {v} is None:", "            raise Unusual"]
        if ready is None:
            body.append(f"        {v} = c{index}({v})")
        elif ready == ISO_FORMAT:  # as ``leaf_value`` completes them, without its call
            body += [
                f"        if {v} is not None:",
                f"            {v} = {v}.isoformat() if type({v}) in ISO_TYPES else c{index}({v})",
            ]
        else:
            test = ready.format(v=v)
            body += [
                f"        if {v} is not None and not ({test}):",
                f"            {v} = c{index}({v})",
            ]
        if non_null:
            body += [f"        if {v} is None:", "            raise Unusual"]
    pairs = ", ".join(f"k{index}: v{index}" for index in range(len(shape)))
    body += [f"        return {{{pairs}}}", "    return fast_object"]
    env: dict[str, Any] = {"Unusual": Unusual, "ISO_TYPES": _ISO_TYPES}
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(body), "<compiled plain object>", "exec"), env, namespace)
    factory: Callable[..., Fast] = namespace["factory"]
    return factory


def careful_unless_fast(fast: Fast, careful: Complete, item: Fast | None = None) -> Complete:
    """Plain data the fast way; the careful way (errors located, waits awaited) if it objects.

    ``item``: for a list field, its items' fast completion; a long value is then
    completed in slices that let other requests run between them (``slices``).
    """

    def complete(run: Run, value: Any, path: ResponsePath) -> Any:
        try:
            return fast(value)
        except CompletionStopped:
            raise  # the request's budget is spent: no careful retry
        except Exception:
            return careful(run, value, path)

    if item is None:
        return complete

    def complete_list(run: Run, value: Any, path: ResponsePath) -> Any:
        if (type(value) is list or type(value) is tuple) and len(value) > SLICED_ITEMS:
            return Waiting(in_slices(run, value, path, item, careful))
        try:
            return fast(value)
        except CompletionStopped:
            raise
        except Exception:
            return careful(run, value, path)

    return complete_list
