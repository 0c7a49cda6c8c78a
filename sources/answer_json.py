"""Parsing a source's JSON answer without stalling every other request on the event loop.

Small answers (the usual batch) are parsed inline with orjson: fastest, and too
quick to matter. Large ones are parsed record by record along ``records_at``,
giving the event loop a turn every ``YIELD_EVERY_CHARS`` of text. A worker
thread would not help: orjson and the stdlib's C scanner hold the GIL for the
whole document (measured: a 15 MB answer stalled the loop 445 ms in a thread,
500 ms inline), so the loop waits just as long.
"""

from __future__ import annotations

import asyncio
import json
import json.scanner
import re
from collections.abc import Callable
from typing import Any

import orjson

from sources.shared_member_names import forget_names, object_from_pairs

PARSE_INLINE_BYTES = 256 * 1024
"""Answers up to this size are parsed in one go on the loop (well under a millisecond or two)."""

YIELD_EVERY_CHARS = 64 * 1024
"""Text parsed between two turns of the event loop when an answer is parsed in steps."""


class MalformedJson(ValueError):
    """The answer is not JSON (the connector turns it into ``SourceBadResponse``)."""


def _no_constants(name: str) -> Any:
    raise MalformedJson(f"{name} is not JSON")  # orjson refuses NaN/Infinity too


_SCAN_ONCE: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    # typeshed asks for a scanner here; the C scanner reads a decoder's hooks (a TODO there).
    json.JSONDecoder(parse_constant=_no_constants, object_pairs_hook=object_from_pairs)  # type: ignore[arg-type]
)
_SPACE = re.compile(r"[ \t\n\r]*")


async def parse_answer(body: bytes, records_at: str) -> Any:
    """The decoded answer, as ``orjson.loads`` would give it; ``MalformedJson`` if it is not JSON.

    Above ``PARSE_INLINE_BYTES`` the records under ``records_at`` (a dotted path,
    "" for the top level) are decoded one at a time between turns of the loop.
    """
    if len(body) <= PARSE_INLINE_BYTES:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise MalformedJson("malformed JSON") from None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedJson("not UTF-8") from None
    path = records_at.split(".") if records_at else []
    parser = _SteppedParser(text)
    try:
        value, end = await parser.value_along(_skip(text, 0), path)
    except (ValueError, IndexError, RecursionError) as exc:
        if isinstance(exc, MalformedJson):
            raise
        raise MalformedJson("malformed JSON") from None
    finally:
        forget_names()  # shared by the records of one answer (shared_member_names)
    if _skip(text, end) != len(text):
        raise MalformedJson("extra data after the JSON value")
    return value


def _scan(text: str, index: int) -> tuple[Any, int]:
    """One JSON value at ``index``, by the C scanner.

    Its StopIteration (nothing parsable there) becomes ``MalformedJson``: a
    coroutine may not raise StopIteration.
    """
    try:
        return _SCAN_ONCE(text, index)
    except StopIteration:
        raise MalformedJson("expected a JSON value") from None


def _skip(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match is not None else index


class _SteppedParser:
    """Walks objects and arrays along one path by hand; everything else is the C scanner's."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.since_yield = 0

    async def value_along(self, index: int, path: list[str]) -> tuple[Any, int]:
        """The value starting at ``index`` and the index after it."""
        text = self.text
        if index < len(text):
            if text[index] == "{" and path:
                return await self._object_along(index, path)
            if text[index] == "[":
                return await self._array(index, path)
        value, end = _scan(text, index)
        await self._maybe_yield(end - index)
        return value, end

    async def _object_along(self, index: int, path: list[str]) -> tuple[dict[str, Any], int]:
        text = self.text
        found: dict[str, Any] = {}
        index = _skip(text, index + 1)
        if text[index] == "}":
            return found, index + 1
        while True:
            if text[index] != '"':
                raise MalformedJson("expected a member name")
            name, index = _scan(text, index)
            index = _skip(text, index)
            if text[index] != ":":
                raise MalformedJson("expected ':'")
            index = _skip(text, index + 1)
            below = path[1:] if name == path[0] else []
            if name == path[0]:
                found[name], index = await self.value_along(index, below)
            else:
                found[name], end = _scan(text, index)
                await self._maybe_yield(end - index)
                index = end
            index = _skip(text, index)
            if text[index] == "}":
                return found, index + 1
            if text[index] != ",":
                raise MalformedJson("expected ',' or '}'")
            index = _skip(text, index + 1)

    async def _array(self, index: int, path: list[str]) -> tuple[list[Any], int]:
        """A list (of records, usually) decoded item by item; a path step may index into it."""
        text = self.text
        items: list[Any] = []
        index = _skip(text, index + 1)
        if text[index] == "]":
            return items, index + 1
        step = path[0] if path else None
        while True:
            if step is not None and step == str(len(items)):
                item, index = await self.value_along(index, path[1:])
            else:
                item, end = _scan(text, index)
                await self._maybe_yield(end - index)
                index = end
            items.append(item)
            index = _skip(text, index)
            if text[index] == "]":
                return items, index + 1
            if text[index] != ",":
                raise MalformedJson("expected ',' or ']'")
            index = _skip(text, index + 1)

    async def _maybe_yield(self, parsed: int) -> None:
        self.since_yield += parsed
        if self.since_yield >= YIELD_EVERY_CHARS:
            self.since_yield = 0
            await asyncio.sleep(0)
