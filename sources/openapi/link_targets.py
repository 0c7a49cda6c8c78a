"""Which other system a customer system's cross-reference field points at, when that is plain.

A CRM contact's ``order_customer_id`` is this person's id in some other
system. Given the other systems' documents (``--system orders=URL``), the
importer knows each one's ``link`` lookup: the parameter its own ids are asked
by (``customer_ids``), the record field repeating them, and example values
(``oc-48213``). A field points at a system when its name starts with that
system's name (``order_…`` → ``orders``) and the rest names the system's id
(``customer_id`` ~ ``customer_ids``) or the examples have the same shape
(``u4711`` and ``u4711,u815``). Exactly one such system: a guess written out,
marked for review. None or several: left commented, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sources.openapi.answers import walk
from sources.openapi.document import Document, Schema
from sources.openapi.lookups import LookupProposal
from sources.openapi.names import similarity, singular, snake

NAME_MATCH = 0.8
"""The rest of the field's name is the target's id parameter or field at least this much."""


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """Another system's way in by its own ids: its ``link`` lookup, as the importer proposed it."""

    system: str
    parameter: str
    match_field: str | None
    shapes: frozenset[str]
    """Shapes of its example ids (``oc-48213`` → ``oc-9``)."""
    key_format: str | dict[str, str] | None


def shape(example: str) -> str:
    """What an id looks like, digits runs as ``9``, case folded: ``BA-381204`` → ``ba-9``."""
    return re.sub(r"\d+", "9", example.strip().casefold())


def shapes(examples: Iterable[object]) -> frozenset[str]:
    """Shapes of example values, a comma-separated example read as its values."""
    found: set[str] = set()
    for example in examples:
        values = example if isinstance(example, list) else str(example).split(",")
        found.update(shape(str(v)) for v in values if str(v).strip())
    return frozenset(found)


def _named_for(field: str, system: str) -> str | None:
    """The rest of ``field`` after the system's name (``order_customer_id`` → ``customer_id``)."""
    word = snake(field)
    for name in dict.fromkeys((snake(system), singular(snake(system)))):
        if word.startswith(f"{name}_") and len(word) > len(name) + 1:
            return word[len(name) + 1 :]
    return None


def resolve(
    field: str, examples: Sequence[object], targets: Sequence[LinkTarget]
) -> tuple[LinkTarget | None, str]:
    """The one system ``field`` points at and why, or None and why not."""
    own = shapes(examples)
    found: list[tuple[LinkTarget, str]] = []
    for target in targets:
        rest = _named_for(field, target.system)
        if rest is None:
            continue
        ids = [singular(snake(target.parameter))]
        ids += [target.match_field] if target.match_field else []
        best = max(similarity(rest, name) for name in ids)
        if best >= NAME_MATCH:
            found.append((target, f"'{rest}' names its '{target.parameter}' ({best:.2f})"))
        elif own and own & target.shapes:
            example = sorted(own & target.shapes)[0]
            found.append((target, f"its ids and this field's look alike ('{example}')"))
    if len(found) == 1:
        target, why = found[0]
        return target, f"the field names system '{target.system}' and {why}"
    if found:
        systems = ", ".join(t.system for t, _ in found)
        return None, f"'{field}' could be an id in any of: {systems}"
    return None, f"no system given (--system NAME=DOCUMENT) that '{field}' names"


def _key_parameter(proposal: LookupProposal) -> tuple[str, Schema | None]:
    """The parameter (or body field) a lookup sends its keys in, and its declaration."""
    if proposal.query:
        name = next(iter(proposal.query))
    elif proposal.json_body:
        name = next(iter(proposal.json_body))
    else:
        operation_path = proposal.operation.path.split("/")
        asked = proposal.path.split("/")
        named = [o for o, a in zip(operation_path, asked, strict=False) if a == "{key}"]
        name = named[0].strip("{}") if named else ""
    declared = next((p for p in proposal.operation.parameters if p.get("name") == name), None)
    return name, declared


def _examples(declared: Schema | None) -> list[object]:
    if declared is None:
        return []
    schema = declared.get("schema") if isinstance(declared.get("schema"), dict) else {}
    assert isinstance(schema, dict)
    items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
    assert isinstance(items, dict)
    found = (declared.get("example"), schema.get("example"), items.get("example"))
    return [value for value in found if value is not None]


def target_of(system: str, proposal: LookupProposal) -> LinkTarget:
    """``system``'s way in by its own ids, from its proposed ``link`` lookup."""
    parameter, declared = _key_parameter(proposal)
    match_field = proposal.match_on or (proposal.group or {}).get("key")
    return LinkTarget(
        system=system,
        parameter=parameter,
        match_field=match_field,
        shapes=shapes(_examples(declared)),
        key_format=proposal.key_format,
    )


def aim(
    doc: Document, record: Schema, proposals: list[LookupProposal], targets: Sequence[LinkTarget]
) -> dict[str, str]:
    """Name the system of each ``link:`` lookup where exactly one target fits (a guess to review).

    Returns, for the fields left unnamed, why (written next to their commented link).
    """
    if not targets:
        return {}
    examples = {path: spec.get("example") for path, spec in walk(doc, record)}
    doubts: dict[str, str] = {}
    for proposal in proposals:
        field = proposal.link_field
        if proposal.kind != "link:" or field is None:
            continue
        values = _examples(_key_parameter(proposal)[1])
        if examples.get(field) is not None:
            values.append(examples[field])
        target, why = resolve(field, values, targets)
        if target is None:
            doubts[field] = why
            continue
        proposal.kind = f"link:{target.system}"
        proposal.guesses.insert(0, f"guess: {why}")
        if target.key_format is not None and proposal.key_format is None:
            proposal.key_format = target.key_format
            proposal.guesses.append(f"key_format: as '{target.system}' takes its own ids")
    return doubts
