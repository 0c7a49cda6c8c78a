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

from resolvers.system.customer_loaders import Ahead

READS = "c360.reads"
"""Field metadata key: the named loaders the field's resolver reads."""

THEN = "c360.then"
"""Field metadata key: the object type the field answers, whose subfields read more."""

_BY_NAME: dict[tuple[type, NameConverter], dict[str, dict[str, Any]]] = {}


def reads(*names: Ahead, then: type | None = None) -> dict[str, Any]:
    """Field metadata: the resolver reads ``names``; its subfields are ``then``'s fields."""
    return {READS: names, THEN: then}


def reads_of(selections: Iterable[Any], of: type, names: NameConverter) -> set[Ahead]:
    """What the plainly selected fields of ``of`` (and their subfields) read.

    ``names`` is the schema's name converter (``info.schema.config.name_converter``):
    selections carry GraphQL names.

    Only plain selections count (no directive, not in a fragment): a field
    under ``@skip`` or ``@include`` may not be wanted, and asking a source for
    what nobody reads is not allowed.
    """
    metadata = _metadata(of, names)
    found: set[Ahead] = set()
    for selected in selections:
        if not isinstance(selected, SelectedField) or selected.directives:
            continue
        field = metadata.get(selected.name)
        if field is None:
            continue
        found.update(field.get(READS, ()))
        nested = field.get(THEN)
        if nested is not None:
            found |= reads_of(selected.selections, nested, names)
    return found


def _metadata(of: type, names: NameConverter) -> dict[str, dict[str, Any]]:
    """The metadata of ``of``'s fields by GraphQL name (worked out once per type and schema)."""
    by_name = _BY_NAME.get((of, names))
    if by_name is None:
        definition = get_object_definition(of, strict=True)
        by_name = _BY_NAME[(of, names)] = {
            names.from_field(field): dict(field.metadata or {}) for field in definition.fields
        }
    return by_name
