"""Proposing lookups from an operation's path and parameters: which key, sent how, matched how.

A batched parameter (an array, or a plural comma-separated list: ``customer_ids``)
or a POST body holding a list of ids beats a per-key path (``/orders/{id}``): one
request per batch instead of one per customer. The record field that repeats
the key (``match_on``, or a group's ``key``) is read off the answer's schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sources.openapi.answers import RecordsShape, walk
from sources.openapi.document import Document, Operation, Schema
from sources.openapi.names import key_kind, similarity, singular, snake
from sources.openapi.parameters import (
    LATITUDE,
    LONGITUDE,
    KeyParameter,
    body_keys,
    example_of,
    key_parameter,
    pushed_argument,
)

DEFAULT_MAX_BATCH = 200
MAX_BATCH = 10_000
"""The config's bounds of ``max_batch``: its default, and the most a lookup may send at once."""
_PAGING_PARAMS = frozenset(
    (
        *("cursor", "after", "page_token", "next_token", "starting_after", "continuation"),
        *("page", "page_number", "page_no", "size", "page_size", "per_page", "limit", "page_limit"),
    )
)


@dataclass(slots=True)
class LookupProposal:
    """One lookup the importer could write, the reasons for it, and whether it is usable."""

    kind: str
    operation: Operation
    shape: RecordsShape
    batched: bool
    path: str
    query: dict[str, str] = field(default_factory=dict)
    json_body: dict[str, Any] | None = None
    match_on: str | None = None
    group: dict[str, str] | None = None
    echo: dict[str, str] = field(default_factory=dict)
    paging: dict[str, Any] | None = None
    max_batch: int | None = None
    key_format: str | dict[str, str] | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    """Field arguments the source filters by (``since``, ``status``): pushed down."""
    guesses: list[str] = field(default_factory=list)
    """What is guessed (each becomes a ``# REVIEW`` comment)."""
    optional: list[tuple[str, str, str]] = field(default_factory=list)
    """Optional parameters left out (name, example, description): commented suggestions."""
    unusable: str | None = None
    """Why this lookup is written commented out, or None."""
    link_field: str | None = None
    """For a customer entity: the field holding another system's id (a ``link:`` lookup)."""
    guessed_match: bool = False
    """``match_on`` (or the group key) is a similar name, not the parameter's own."""

    @property
    def rank(self) -> tuple[int, int, int, int]:
        """Higher is better: usable, batched, key matched exactly, GET."""
        return (
            self.unusable is None,
            self.batched,
            not self.guessed_match,
            self.operation.method == "GET",
        )


def takes_keys(doc: Document, operation: Operation, shape: RecordsShape) -> bool:
    """Whether ``operation`` could be a lookup at all (a key parameter, or one whole answer)."""
    params = [p for p in operation.parameters if p.get("in") in ("query", "path")]
    return (
        shape.single
        or any(key_parameter(doc, p) is not None for p in params)
        or bool(body_keys(doc, operation))
    )


def propose(
    doc: Document,
    operation: Operation,
    shape: RecordsShape,
    *,
    customer: bool,
    id_field: str | None,
) -> list[LookupProposal]:
    """Every lookup ``operation`` could serve for records of ``shape``.

    ``customer``: the records are customer profiles (ids are their own: ``id``;
    for any other record an id names the person in this system: ``link``).
    ``id_field``: the record field mapped to the domain ``id``.
    """
    params = [p for p in operation.parameters if p.get("in") in ("query", "path")]
    keys = [k for k in (key_parameter(doc, p) for p in params) if k is not None]
    keys += body_keys(doc, operation)
    fields = [path for path, spec in walk(doc, shape.record) if spec.get("type") != "array"]
    proposals: list[LookupProposal] = []
    latitude = next((k for k in keys if snake(k.name) in LATITUDE), None)
    longitude = next((k for k in keys if snake(k.name) in LONGITUDE), None)
    if latitude is not None and longitude is not None:
        proposals.append(_location(operation, shape, latitude, longitude, fields))
    for key in keys:
        if key.kind == "location":
            continue
        proposal = _keyed(operation, shape, key, fields, customer=customer, id_field=id_field)
        if proposal is not None:
            proposals.append(proposal)
    if not keys and shape.single:
        proposals.append(
            LookupProposal("all", operation, shape, True, operation.path, match_on="position")
        )
    for proposal in proposals:
        used = set(proposal.query) | set(proposal.json_body or {})
        used |= {
            str(p["name"])
            for p in params
            if p.get("in") == "path" and "{" + str(p["name"]) + "}" not in proposal.path
        }
        _other_parameters(proposal, [p for p in params if p["name"] not in used], keys)
    return proposals


def _keyed(
    operation: Operation,
    shape: RecordsShape,
    key: KeyParameter,
    fields: list[str],
    *,
    customer: bool,
    id_field: str | None,
) -> LookupProposal | None:
    path = operation.path.replace("{" + key.name + "}", "{key}")
    proposal = LookupProposal(key.kind, operation, shape, key.batched, path)
    if key.where == "query":
        proposal.query[key.name] = key.template
    elif key.where == "body":
        proposal.json_body = {key.name: key.template}
        proposal.guesses.append("a POST: check that it only reads (a search, not a create)")
    if key.key_format is not None:
        proposal.key_format = key.key_format
        proposal.guesses.append(f"key_format from the description or example of '{key.name}'")
    if key.max_batch is not None and key.max_batch != DEFAULT_MAX_BATCH:
        proposal.max_batch = min(key.max_batch, MAX_BATCH)
        proposal.guesses.append(f"the parameter takes at most {key.max_batch} keys")
    scalars = shape.group.scalars if shape.group is not None else tuple(fields)
    matched, why = _matching_field(key, scalars)
    if key.kind == "id":
        if customer and matched is not None and matched not in ("id", id_field):
            proposal.kind = "link:"
            proposal.link_field = matched
        elif not customer:
            if matched is not None and matched == id_field and shape.group is None:
                return None  # records by their own ids: not a way to find a person's records
            proposal.kind = "link"
    if why:
        proposal.guesses.append(why)
        proposal.guessed_match = True
    if shape.group is not None:
        proposal.group = {"key": matched} if matched else {}
        proposal.group["records"] = shape.group.records
        if matched is None and key.batched:
            proposal.unusable = "no group field names the key: set group.key"
    elif key.batched:
        if matched is None:
            proposal.unusable = f"no record field repeats '{key.name}': set match_on"
        proposal.match_on = matched
    elif matched is not None:
        proposal.match_on = matched  # optional for a per-key lookup; a check on the answer
    return proposal


def _matching_field(
    key: KeyParameter, fields: tuple[str, ...] | list[str]
) -> tuple[str | None, str]:
    """The field repeating the key, and a review note when it is a guess (else "")."""
    word = snake(key.name)
    for name in (singular(word), word):
        for candidate in fields:
            if snake(candidate) == name or snake(candidate.rsplit(".", 1)[-1]) == name:
                return candidate, ""
    same_kind = [f for f in fields if key_kind(f.rsplit(".", 1)[-1]) == key.kind]
    scored = sorted(((similarity(singular(word), f), f) for f in same_kind), reverse=True)
    # The only email (or phone) field of a record is a fair guess; the only id-like one is not.
    alone = len(same_kind) == 1 and key.kind != "id"
    if scored and (scored[0][0] >= 0.5 or alone):
        score, best = scored[0]
        return best, f"key matched on '{best}' for '{key.name}' (score {score:.2f})"
    return None, ""


def _location(
    operation: Operation,
    shape: RecordsShape,
    latitude: KeyParameter,
    longitude: KeyParameter,
    fields: list[str],
) -> LookupProposal:
    proposal = LookupProposal("location", operation, shape, latitude.batched, operation.path)
    proposal.query = {latitude.name: "{keys.latitude}", longitude.name: "{keys.longitude}"}
    proposal.match_on = "position"
    proposal.guesses.append("answers in the order asked (match_on: position)")
    for part, names in (("latitude", LATITUDE), ("longitude", LONGITUDE)):
        echoed = next((f for f in fields if snake(f) in names), None)
        if echoed is not None:
            proposal.echo[part] = echoed
    if not latitude.batched:
        proposal.unusable = "the coordinates are not a comma-separated batch"
    return proposal


def _other_parameters(
    proposal: LookupProposal, rest: list[Schema], keys: list[KeyParameter]
) -> None:
    """Required non-key parameters get their example (a guess); optional ones a suggestion."""
    key_names = {k.name for k in keys}
    for parameter in rest:
        name = str(parameter["name"])
        if snake(name) in _PAGING_PARAMS:
            continue
        value = example_of(parameter)
        if parameter.get("in") == "path":
            proposal.unusable = proposal.unusable or f"path parameter '{name}' is not a key"
        elif name in key_names:
            continue  # another key of the same operation: its own lookup
        elif parameter.get("required"):
            if value is None:
                proposal.unusable = f"required parameter '{name}' has no example to send"
            else:
                proposal.query[name] = value
                proposal.guesses.append(f"required '{name}' set to its example")
        elif (pushed := pushed_argument(name, parameter)) is not None:
            proposal.arguments[pushed[0]] = pushed[1]
            proposal.guesses.append(f"'{name}' filters by {pushed[0]} (pushed down)")
        else:
            note = str(parameter.get("description") or "").split("\n")[0][:80]
            proposal.optional.append((name, value or "...", f"optional: {note}".rstrip(": ")))
