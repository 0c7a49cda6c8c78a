"""Member names shared across the records of a large answer parsed in steps.

The stdlib's C scanner, which ``answer_json`` calls once per record of a large
answer, forgets the member names it has read at the end of each call: a 7.5 MB
answer of 16,556 orders held 16,556 copies of ``"order_id"``, ``"customer_email"``,
... and of each line's ``"sku"``, ``"name"``, ... (19 strings per order): 45 MB
of small objects where orjson, which shares its names, makes 22.6 MB. Objects
built by ``object_from_pairs`` use the first copy of each name instead (29 MB),
so fewer of CPython's 1 MB arenas are taken by one answer, and stay taken by
whatever long-lived object lands among them meanwhile.
"""

from __future__ import annotations

from typing import Any

MAX_NAMES = 4_096
"""Names remembered at most; past them an object keeps its own (a hostile answer's
million distinct names cost no more than they do without sharing)."""

_NAMES: dict[str, str] = {}


def object_from_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The object the scanner would build (a repeated name keeps its last value), names shared."""
    if len(_NAMES) >= MAX_NAMES:
        return dict(pairs)
    shared = _NAMES.setdefault
    return {shared(name, name): value for name, value in pairs}


def forget_names() -> None:
    """After a parse: the names are no longer kept alive by this module."""
    _NAMES.clear()
