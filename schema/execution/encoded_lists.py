"""Long lists handed on as JSON bytes, a slice at a time, when the answer goes out as JSON.

A customer's 16,556 orders completed for eight agents at once are eight lists
of 16,556 dicts, each with a list of lines: about 70,000 objects per answer
that live until the response is encoded, each collection walking them to free
nothing. When the caller will encode the answer with ``orjson`` (the HTTP
view says so with ``encoded_as_completed``), a long list completed in slices
(``slices``) encodes each slice as soon as it is complete and drops it: the
list becomes one ``orjson.Fragment`` whose bytes are what ``orjson.dumps``
would have written for it. Everyone else (tests, the differential checks
against graphql-core, other callers of the schema) gets plain lists as before.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import orjson

_ENCODED: ContextVar[bool] = ContextVar("c360_long_lists_encoded", default=False)


def encoded_as_completed() -> EncodingScope:
    """Within it (``with``), long lists completed in slices are handed on as ``orjson.Fragment``s.

    Only for a caller that encodes the whole answer with ``orjson.dumps`` and
    reads nothing of it before: the fragment's bytes are the list's JSON.
    """
    return EncodingScope()


class EncodingScope:
    """Sets the flag and puts it back, leaving any exception passing through as it is.

    Not ``contextlib.contextmanager``: that one writes the ``__traceback__`` of an
    exception passing through, which a frozen dataclass exception (``RefusedRequest``,
    a request refused before execution) does not allow.
    """

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _ENCODED.set(True)

    def __exit__(self, *exc: object) -> None:
        _ENCODED.reset(self._token)


class EncodedList:
    """One list's JSON, its items appended a slice at a time (each slice already completed)."""

    __slots__ = ("_chunks",)

    def __init__(self) -> None:
        self._chunks: list[bytes] = [b"["]

    def add(self, items: list[Any]) -> None:
        """Appends ``items`` as JSON; nothing of them is kept."""
        if not items:
            return
        if len(self._chunks) > 1:
            self._chunks.append(b",")
        self._chunks.append(orjson.dumps(items)[1:-1])

    def fragment(self) -> orjson.Fragment:
        self._chunks.append(b"]")
        return orjson.Fragment(b"".join(self._chunks))


def encoded_list() -> EncodedList | None:
    """A list to encode into, when the answer is encoded with ``orjson``; None otherwise."""
    return EncodedList() if _ENCODED.get() else None
