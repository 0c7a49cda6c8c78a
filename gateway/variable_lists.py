"""Over-long list variables found in a GraphQL request body before the body is decoded.

Demand control refuses a list variable longer than any argument takes (1,000
ids), but only once the body is decoded: a 100,000-id body costs about 15 ms of
orjson on the event loop first, every other request waiting. Large bodies are
first read here, value by value by the stdlib's C scanner, counting each list in
``variables`` only up to the limit; a longer one is refused without decoding it.
"""

from __future__ import annotations

import json
import json.scanner
import re
from collections.abc import Callable
from typing import Any

LIST_SCAN_BYTES = 64 * 1024
"""Bodies up to this size are decoded at once (a list too long for them costs under a ms)."""

_SCAN_ONCE: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    # typeshed asks for a scanner here; the C scanner reads a decoder's hooks (a TODO there).
    json.JSONDecoder()  # type: ignore[arg-type]
)
_SPACE = re.compile(r"[ \t\n\r]*")


def over_long_variable(body: bytes, max_items: int) -> str | None:
    """The first variable whose value is a list of more than ``max_items``, else None.

    Read by the stdlib's C scanner, value by value, counting a list's items only
    up to ``max_items + 1``: a 100,000-id variable is refused after 1,001 of them,
    not after decoding them all (15 ms of the event loop). Anything that is not a
    JSON object with ``variables`` gives None: ``orjson`` then says what is wrong.
    """
    walk = _Walk(max_items)
    try:
        text = body.decode("utf-8")
        walk.object(text, _skip_space(text, 0), walk.top_member)
    except _OverLong as found:
        return found.name
    except (ValueError, StopIteration, IndexError, RecursionError):
        return None
    return None


class _OverLong(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _skip_space(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match is not None else index


def _value_end(text: str, index: int) -> int:
    _, end = _SCAN_ONCE(text, index)
    return end


class _Walk:
    """The body's top-level members, ``variables``' members, and the items of lists in it."""

    def __init__(self, max_items: int) -> None:
        self.max_items = max_items

    def object(self, text: str, index: int, member: Callable[[str, str, int], int]) -> int:
        """Where the object at ``index`` ends; ``member(text, name, at)`` reads each value."""
        if text[index] != "{":
            raise ValueError("not an object")
        index = _skip_space(text, index + 1)
        if text[index] == "}":
            return index + 1
        while True:
            name, index = _SCAN_ONCE(text, index)
            index = _skip_space(text, index)
            if text[index] != ":":
                raise ValueError("expected ':'")
            index = _skip_space(text, member(text, str(name), _skip_space(text, index + 1)))
            if text[index] == "}":
                return index + 1
            if text[index] != ",":
                raise ValueError("expected ','")
            index = _skip_space(text, index + 1)

    def top_member(self, text: str, name: str, at: int) -> int:
        if name == "variables" and text[at] == "{":
            return self.object(text, at, self.variable)
        return _value_end(text, at)

    def variable(self, text: str, name: str, at: int) -> int:
        if text[at] != "[":
            return _value_end(text, at)
        index = _skip_space(text, at + 1)
        if text[index] == "]":
            return index + 1
        for _ in range(self.max_items):
            index = _skip_space(text, _value_end(text, index))
            if text[index] == "]":
                return index + 1
            if text[index] != ",":
                raise ValueError("expected ','")
            index = _skip_space(text, index + 1)
        raise _OverLong(name)
