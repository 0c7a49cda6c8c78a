"""Reading dotted paths (``cart.status``, ``current.temperature_2m``) out of source JSON."""

from __future__ import annotations

from typing import Any

_MISSING = object()


def value_at(record: Any, path: str, default: Any = None) -> Any:
    """The value at a dotted path, or ``default`` where any step is missing."""
    if type(record) is dict and "." not in path:  # the usual case: a top-level field
        return record.get(path, default)
    current = record
    for step in path.split("."):
        if isinstance(current, dict):
            current = current.get(step, _MISSING)
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return default
        if current is _MISSING:
            return default
    return current


def records_at(payload: Any, path: str) -> list[dict[str, Any]] | None:
    """The list of record objects at ``path`` ("" is the top level); None if it isn't one.

    A single object where a list is expected (Open-Meteo answers one coordinate
    with an object, several with a list) counts as a list of one.
    """
    found = value_at(payload, path, default=None) if path else payload
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list) or not all(isinstance(item, dict) for item in found):
        return None
    return found
