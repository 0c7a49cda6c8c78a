"""A lookup's SELECT as the driver's own text and positional values, rendered once per batch size.

SQLAlchemy renders the ``IN :keys`` list and orders the parameters for the
driver's paramstyle; here it does so once per number of keys (a lookup sees at
most ``max_batch`` sizes), so that a statement can go to the driver as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import TextClause


@dataclass(frozen=True, slots=True)
class _Slot:
    """Stands for a value while the statement is rendered: a key's index or an argument's name."""

    source: int | str


@dataclass(frozen=True, slots=True)
class RenderedStatement:
    """The driver's SQL for one number of keys, and where each positional value comes from."""

    sql: str
    slots: tuple[int | str, ...]
    """Per positional parameter: the index of a key, or the name of a bound argument."""

    def values(self, keys: Sequence[str], bound: Mapping[str, Any]) -> list[Any]:
        """The positional values for ``keys`` and the lookup's ``bound`` arguments."""
        return [keys[slot] if type(slot) is int else bound[slot] for slot in self.slots]  # type: ignore[index]


class StatementRenderer:
    """One lookup's statement per number of keys, rendered by SQLAlchemy for ``dialect``."""

    def __init__(self, query: TextClause, arguments: Iterable[str], dialect: Dialect) -> None:
        self._query = query
        self._dialect = dialect
        named = set(query.compile(dialect=dialect).positiontup or ())
        self._arguments = {name: _Slot(name) for name in arguments if name in named}
        self.complete = named <= {"keys", *self._arguments}
        """Every parameter the SQL names is the keys or an argument (else: render nothing)."""
        self._by_size: dict[int, RenderedStatement] = {}

    def for_keys(self, count: int) -> RenderedStatement:
        rendered = self._by_size.get(count)
        if rendered is None:
            stand_ins = self._query.bindparams(
                keys=[_Slot(i) for i in range(count)], **self._arguments
            )
            compiled = stand_ins.compile(
                dialect=self._dialect, compile_kwargs={"render_postcompile": True}
            )
            params = compiled.params
            rendered = RenderedStatement(
                compiled.string,
                tuple(params[name].source for name in compiled.positiontup or ()),
            )
            self._by_size[count] = rendered
        return rendered
