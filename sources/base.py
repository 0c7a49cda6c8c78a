"""What every connector offers the system layer, whatever kind of source it talks to."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

RawRecord = dict[str, Any]


class SizedAnswers(list[Any]):
    """A connector's per-key answers, with the JSON bytes the source sent for all of them.

    Lets the cache size its entries without encoding them again: when the whole
    answer is within an entry limit, so is every key's share of it.
    """

    __slots__ = ("body_bytes",)

    def __init__(self, answers: Iterable[Any], body_bytes: int) -> None:
        super().__init__(answers)
        self.body_bytes = body_bytes


class Connector(Protocol):
    """A connection to one source system.

    ``fetch`` returns, for each key in order, the raw records that match it (an
    empty list when none do), or raises a ``SourceError``. A connector may put a
    ``SourceError`` in place of one key's records (that key's answer failed its
    checks, e.g. a positional record echoing another key; or a wrapping
    connector served the others from cache). Records are the source's own JSON;
    mapping them to domain records is the system layer's job.
    """

    name: str

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def fetch(
        self, entity: str, kind: str, keys: Sequence[str], *, timeout_s: float
    ) -> Sequence[list[RawRecord] | Exception]: ...
