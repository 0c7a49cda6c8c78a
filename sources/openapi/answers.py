"""Where an operation's answer keeps its records, whether they come grouped, and how it pages.

Read from the answer's schema only (the importer never calls the system): a
list at the top or under an envelope property (``data``, ``results``...), a
list of groups that hold the records (``[{customer_id, orders: [...]}]``), and
paging from next links, cursors or page numbers with a total.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sources.openapi.document import Document, Schema
from sources.openapi.names import snake

ENVELOPE_NAMES = ("data", "items", "results", "records", "rows", "entries", "values", "content")
"""Envelope properties that usually hold an answer's list, most usual first."""

MAX_NESTING = 16
"""Schemas nested (or referring to themselves) deeper than this are read as unknown."""

MAX_FIELDS = 500
"""Fields of one record considered: a wide object reused at every level is not read whole."""

MAX_GROUP_SCALARS = 3
"""A list item with at most this many plain fields around one list of objects is a group."""

_NEXT_LINKS = ("next", "next_url", "next_link", "nextlink", "next_page_url", "next_href")
_CURSORS = ("next_cursor", "cursor", "next_token", "next_page_token", "continuation", "after")
_CURSOR_PARAMS = ("cursor", "after", "page_token", "next_token", "continuation", "starting_after")
_PAGE_PARAMS = ("page", "page_number", "page_no", "page_index")
_SIZE_PARAMS = ("size", "page_size", "per_page", "limit", "page_limit", "count")
_TOTALS = ("total", "total_count", "total_items", "total_results", "count")


@dataclass(frozen=True, slots=True)
class GroupShape:
    """A list of groups: the group's plain fields (key candidates) and its records field."""

    records: str
    scalars: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordsShape:
    """Where the records of an answer are and what one record looks like."""

    records_at: str
    record: Schema
    record_name: str | None
    """The component name of the record schema (``Order``), when it is one."""
    group: GroupShape | None
    single: bool
    """The answer is one object, not a list (a stats endpoint)."""


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def flattened(doc: Document, schema: Any, depth: int = 0) -> Schema:
    """A schema with ``$ref`` followed, ``allOf`` merged and ``oneOf``/``anyOf`` decided.

    Of alternatives, a list is preferred (an answer that is one object for one
    key and a list for several is read as a list, and a single object still fits).
    """
    resolved = doc.resolve(schema)
    if depth > MAX_NESTING:
        return {}  # a schema built of itself (allOf: [$ref: itself]) ends here
    if "allOf" in resolved:
        merged: Schema = {"type": "object", "properties": {}}
        for part in _listed(resolved.get("allOf")):
            piece = flattened(doc, part, depth + 1)
            props = piece.get("properties")
            merged["properties"].update(props if isinstance(props, dict) else {})
        return merged
    for combined in ("oneOf", "anyOf"):
        options = [flattened(doc, o, depth + 1) for o in _listed(resolved.get(combined))]
        if options:
            lists = [o for o in options if o.get("type") == "array"]
            return (lists or options)[0]
    return resolved


def ref_name(doc: Document, schema: Any, depth: int = 0) -> str | None:
    """The component name a schema refers to (through oneOf/anyOf lists of one shape)."""
    if not isinstance(schema, dict) or depth > MAX_NESTING:
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = doc.resolve(schema)
        if target.get("type") == "array" or "oneOf" in target or "anyOf" in target:
            return _item_name(doc, target, depth + 1) or ref.rsplit("/", 1)[-1]
        return ref.rsplit("/", 1)[-1]
    return _item_name(doc, schema, depth + 1)


def _item_name(doc: Document, schema: Schema, depth: int) -> str | None:
    if schema.get("type") == "array":
        return ref_name(doc, schema.get("items"), depth)
    for combined in ("oneOf", "anyOf"):
        for option in _listed(schema.get(combined)):
            name = ref_name(doc, option, depth)
            if name:
                return name
    return None


def properties(doc: Document, schema: Schema) -> dict[str, Schema]:
    """An object schema's properties, each flattened."""
    props = schema.get("properties")
    if not isinstance(props, dict):
        return {}
    return {str(name): flattened(doc, spec) for name, spec in props.items()}


def is_object(schema: Schema) -> bool:
    return schema.get("type") == "object" or isinstance(schema.get("properties"), dict)


def list_item(doc: Document, schema: Schema) -> Schema | None:
    """The item schema of a list of objects, or None."""
    if schema.get("type") != "array":
        return None
    item = flattened(doc, schema.get("items"))
    return item if is_object(item) and properties(doc, item) else None


def records_shape(doc: Document, answer: Schema) -> RecordsShape | None:
    """Where ``answer`` (a response schema) keeps its records; None if it holds none."""
    top = flattened(doc, answer)
    found = _records_list(doc, top, "", 0)
    if found is None:
        if is_object(top) and properties(doc, top):
            return RecordsShape("", top, ref_name(doc, answer), None, single=True)
        return None
    at, items_schema = found
    item = list_item(doc, items_schema)
    assert item is not None
    group = _group(doc, item)
    if group is not None:
        inner_schema = properties(doc, item)[group.records]
        inner = list_item(doc, inner_schema)
        record = inner if inner is not None else inner_schema
        name = ref_name(doc, (item.get("properties") or {}).get(group.records))
        return RecordsShape(at, record, name, group, single=False)
    return RecordsShape(at, item, ref_name(doc, _raw_at(doc, answer, at)), None, single=False)


def _records_list(doc: Document, schema: Schema, at: str, depth: int) -> tuple[str, Schema] | None:
    if list_item(doc, schema) is not None:
        return at, schema
    if depth >= 2 or not is_object(schema):
        return None
    props = properties(doc, schema)
    ranked = sorted(
        props,
        key=lambda n: ENVELOPE_NAMES.index(n) if n in ENVELOPE_NAMES else len(ENVELOPE_NAMES),
    )
    for name in ranked:
        found = _records_list(doc, props[name], f"{at}.{name}" if at else name, depth + 1)
        if found is not None:
            return found
    return None


def _raw_at(doc: Document, answer: Schema, at: str) -> Any:
    """The unflattened schema at ``at`` (to read the name its list items refer to)."""
    current: Any = answer
    for step in [s for s in at.split(".") if s]:
        current = (flattened(doc, current).get("properties") or {}).get(step)
    return current


def _group(doc: Document, item: Schema) -> GroupShape | None:
    props = properties(doc, item)
    nested = [n for n, s in props.items() if list_item(doc, s) is not None]
    scalars = tuple(n for n, s in props.items() if s.get("type") not in ("array", "object"))
    if len(nested) != 1 or not scalars or len(scalars) > MAX_GROUP_SCALARS:
        return None
    inner = list_item(doc, props[nested[0]])
    if inner is None or len(properties(doc, inner)) <= len(scalars):
        return None
    return GroupShape(nested[0], scalars)


def walk(doc: Document, schema: Schema) -> Iterator[tuple[str, Schema]]:
    """Every property under ``schema`` as (dotted path, schema): three levels, ``MAX_FIELDS``."""
    return islice(_walk(doc, schema, "", 0), MAX_FIELDS)


def _walk(doc: Document, schema: Schema, at: str, depth: int) -> Iterator[tuple[str, Schema]]:
    for name, spec in properties(doc, schema).items():
        path = f"{at}.{name}" if at else name
        yield path, spec
        if depth < 2 and is_object(spec):
            yield from _walk(doc, spec, path, depth + 1)


def paging_of(
    doc: Document, answer: Schema, parameters: tuple[Schema, ...]
) -> tuple[dict[str, Any], str] | None:
    """A ``paging:`` proposal for an answer and its operation's parameters, with the reason."""
    envelope = [(path, spec) for path, spec in walk(doc, flattened(doc, answer))]
    params = {snake(str(p["name"])): str(p["name"]) for p in parameters if p.get("in") == "query"}
    for path, spec in envelope:
        leaf = snake(path.rsplit(".", 1)[-1])
        if spec.get("type") == "string" and (
            leaf in _NEXT_LINKS or (leaf == "href" and ".next." in f".{path}")
        ):
            return {"next": path}, f"next-page link '{path}' in the answer"
    for path, spec in envelope:
        leaf = snake(path.rsplit(".", 1)[-1])
        if spec.get("type") in ("string", "integer") and (leaf in _CURSORS or "cursor" in leaf):
            sent = next((params[n] for n in _CURSOR_PARAMS if n in params), None)
            sent = sent or next((v for n, v in params.items() if "cursor" in n), None)
            if sent is not None:
                return (
                    {"cursor_at": path, "cursor_param": sent},
                    f"cursor '{path}' in the answer, sent back as '{sent}'",
                )
    page = next((params[n] for n in _PAGE_PARAMS if n in params), None)
    if page is None:
        return None
    proposal: dict[str, Any] = {"page_param": page}
    size = next((params[n] for n in _SIZE_PARAMS if n in params), None)
    if size is not None:
        proposal["size_param"] = size
        proposal["size"] = _page_size(parameters, size)
    total = next((p for p, _ in envelope if snake(p.rsplit(".", 1)[-1]) in _TOTALS), None)
    if total is not None:
        proposal["total_at"] = total
    return proposal, f"numbered pages ('{page}')" + (f" with a total at '{total}'" if total else "")


def _page_size(parameters: tuple[Schema, ...], name: str) -> int:
    """The size parameter's maximum, else its default, else 100."""
    for parameter in parameters:
        if parameter.get("name") == name:
            schema = parameter.get("schema")
            if isinstance(schema, dict):
                for bound in ("maximum", "default"):
                    value = schema.get(bound)
                    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                        return min(value, 100_000)
    return 100
