"""Look-ahead for lists and views: which named loaders the asked fields will read.

A field says what its resolver reads in its metadata (``reads("orders")``), next
to the call it describes; a root field that hands out many customers (or a
view) asks ``reads_of`` for the union over its plainly selected subfields and
has those loaded for everyone in one wait, so each field then answers at once.
The metadata is invisible in the SDL and changes nothing a field answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import get_object_definition
from strawberry.types.nodes import SelectedField

from resolvers.process.facts import AheadFilters, filters_ahead
from resolvers.system.customer_loaders import Ahead

READS = "c360.reads"
"""Field metadata key: the named loaders the field's resolver reads."""

THEN = "c360.then"
"""Field metadata key: the object type the field answers, whose subfields read more."""

_BY_NAME: dict[tuple[type, NameConverter], dict[str, dict[str, Any]]] = {}


def reads(*names: Ahead, then: type | None = None) -> dict[str, Any]:
    """Field metadata: the resolver reads ``names``; its subfields are ``then``'s fields."""
    return {READS: names, THEN: then}


def reads_of(
    selections: Iterable[Any], of: type, names: NameConverter
) -> dict[Ahead, AheadFilters | None]:
    """What the plainly selected fields of ``of`` (and their subfields) read, with filters.

    ``names`` is the schema's name converter (``info.schema.config.name_converter``):
    selections carry GraphQL names.

    Only plain selections count (no directive, not in a fragment): a field
    under ``@skip`` or ``@include`` may not be wanted, and asking a source for
    what nobody reads is not allowed.

    A loader read by one list field only, asked with the same arguments wherever
    it is selected (``orders(limit: 5)``), maps to the filters that field will
    load with (``facts.filters_ahead``): the look-ahead pushes them down too.
    Any other reader (a second argument set, ``rfm``, which reads every order)
    and it maps to None: the whole lists are loaded, and each field filters them.
    """
    asked: dict[Ahead, list[dict[str, Any] | None]] = {}
    _collect(selections, of, names, asked)
    return {
        name: filters_ahead(name, uses[0]) if uses[0] is not None and _same(uses) else None
        for name, uses in asked.items()
    }


def _same(uses: list[dict[str, Any] | None]) -> bool:
    return all(use == uses[0] for use in uses[1:])


def _collect(
    selections: Iterable[Any],
    of: type,
    names: NameConverter,
    asked: dict[Ahead, list[dict[str, Any] | None]],
) -> None:
    metadata = _metadata(of, names)
    for selected in selections:
        if not isinstance(selected, SelectedField) or selected.directives:
            continue
        field = metadata.get(selected.name)
        if field is None:
            continue
        reads_here: tuple[Ahead, ...] = field.get(READS, ())
        for name in reads_here:
            # A field reading one loader says how (its arguments); one reading several
            # (a score over orders and invoices) reads each whole.
            use = dict(selected.arguments) if len(reads_here) == 1 else None
            asked.setdefault(name, []).append(use)
        nested = field.get(THEN)
        if nested is not None:
            _collect(selected.selections, nested, names, asked)


def _metadata(of: type, names: NameConverter) -> dict[str, dict[str, Any]]:
    """The metadata of ``of``'s fields by GraphQL name (worked out once per type and schema)."""
    by_name = _BY_NAME.get((of, names))
    if by_name is None:
        definition = get_object_definition(of, strict=True)
        by_name = _BY_NAME[(of, names)] = {
            names.from_field(field): dict(field.metadata or {}) for field in definition.fields
        }
    return by_name
