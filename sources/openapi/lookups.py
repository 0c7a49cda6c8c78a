"""Proposing lookups from an operation's path and parameters: which key, sent how, matched how.

A batched parameter (an array, or a plural comma-separated list: ``customer_ids``)
or a POST body holding a list of ids beats a per-key path (``/orders/{id}``): one
request per batch instead of one per customer. The record field that repeats
the key (``match_on``, or a group's ``key``) is read off the answer's schema.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from sources.openapi.answers import RecordsShape, flattened, properties, snake, walk
from sources.openapi.document import Document, Operation, Schema

DEFAULT_MAX_BATCH = 200
_AT_MOST = re.compile(r"at most (\d+)|max(?:imum)?\.? (\d+)|up to (\d+)", re.IGNORECASE)
_ID_ENDINGS = ("_id", "_no", "_number", "_ref", "_key", "_code", "_uid", "_account")
_PAGING_PARAMS = frozenset(
    (
        *("cursor", "after", "page_token", "next_token", "starting_after", "continuation"),
        *("page", "page_number", "page_no", "size", "page_size", "per_page", "limit", "page_limit"),
    )
)
_LATITUDE = ("lat", "latitude")
_LONGITUDE = ("lon", "lng", "long", "longitude")


def singular(name: str) -> str:
    """``customer_emails`` → ``customer_email``, ``addresses`` → ``address``."""
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith(("sses", "xes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith(("ss", "us", "is")):
        return name[:-1]
    return name


def key_kind(name: str) -> str | None:
    """The key kind a parameter or field name suggests, or None for a plain filter."""
    word = singular(snake(name))
    if "email" in word or word.endswith("mail"):
        return "email"
    if any(part in word for part in ("phone", "mobile", "msisdn")) or word in ("tel", "telephone"):
        return "phone"
    if "handle" in word or word in ("username", "screen_name"):
        return "handle"
    if word in ("id", "key", "uid", "uuid", "account") or word.endswith(_ID_ENDINGS):
        return "id"
    return None


def similarity(a: str, b: str) -> float:
    """How alike two names are, 0..1, after putting both in snake_case."""
    return difflib.SequenceMatcher(None, snake(a), snake(b)).ratio()


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


@dataclass(frozen=True, slots=True)
class _Key:
    name: str
    where: str
    kind: str
    template: str
    batched: bool
    max_batch: int | None
    key_format: str | dict[str, str] | None = None


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
    keys = [k for k in (_key(doc, p) for p in params) if k is not None]
    keys += _body_keys(doc, operation)
    fields = [path for path, spec in walk(doc, shape.record) if spec.get("type") != "array"]
    proposals: list[LookupProposal] = []
    latitude = next((k for k in keys if snake(k.name) in _LATITUDE), None)
    longitude = next((k for k in keys if snake(k.name) in _LONGITUDE), None)
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


def _key(doc: Document, parameter: Schema) -> _Key | None:
    name = str(parameter["name"])
    word = snake(name)
    description = str(parameter.get("description") or "")
    kind = "location" if word in (*_LATITUDE, *_LONGITUDE) else key_kind(name)
    if kind is None and parameter.get("in") == "query":
        kind = _described_kind(description)
    if kind is None:
        return None
    form = _key_format(kind, description, _example(parameter))
    if parameter.get("in") == "path":
        return _Key(name, "path", kind, "{key}", False, None, form)
    schema = flattened(doc, parameter.get("schema"))
    limit = _at_most(schema, description)
    if schema.get("type") == "array":
        explode = parameter.get("explode", parameter.get("style", "form") == "form")
        return _Key(name, "query", kind, "{keys*}" if explode else "{keys}", True, limit, form)
    plural = singular(word) != word
    listed = "comma" in description.lower() or "," in str(parameter.get("example") or "")
    if plural or listed:
        return _Key(name, "query", kind, "{keys}", True, limit, form)
    return _Key(name, "query", kind, "{key}", False, None, form)


def _described_kind(description: str) -> str | None:
    """A key kind from the description's first sentence ('Desk user ids.'), for opaque names."""
    first = description.split(".")[0].lower()
    for kind, pattern in (
        ("email", r"\be-?mails?\b"),
        ("phone", r"\b(phones?|mobiles?)\b"),
        ("handle", r"\bhandles?\b"),
        ("id", r"\b(ids?|identifiers?)\b"),
    ):
        if re.search(pattern, first):
            return kind
    return None


def _key_format(kind: str, description: str, example: str | None) -> str | dict[str, str] | None:
    """The form the parameter's description or example suggests keys are sent in."""
    text = description.lower()
    steps: dict[str, str] = {}
    first = (example or "").split(",")[0].strip()
    if kind == "phone":
        if "national" in text or (first.isdigit() and len(first) == 10):
            steps["phone"] = "national"
        elif first.isdigit() and len(first) == 11 and first.startswith("1"):
            steps["phone"] = "digits"
    for case in ("upper", "lower"):
        if re.search(rf"\b{case}[- ]?case\b", text) and "insensitive" not in text:
            steps["case"] = case
    if len(steps) == 1:
        return next(iter(steps.values()))  # the shorthand: ``national``, ``upper``
    return steps or None


def _body_keys(doc: Document, operation: Operation) -> list[_Key]:
    if operation.method != "POST" or operation.request_body is None:
        return []
    found = []
    for name, spec in properties(doc, flattened(doc, operation.request_body)).items():
        kind = key_kind(name)
        if spec.get("type") == "array" and kind is not None:
            limit = _at_most(spec, str(spec.get("description") or ""))
            found.append(_Key(name, "body", kind, "{keys}", True, limit))
    return found


def _at_most(schema: Schema, description: str) -> int | None:
    bound = schema.get("maxItems")
    if isinstance(bound, int) and not isinstance(bound, bool) and bound >= 1:
        return bound
    match = _AT_MOST.search(description)
    return int(next(g for g in match.groups() if g)) if match else None


def _keyed(
    operation: Operation,
    shape: RecordsShape,
    key: _Key,
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
    if key.key_format is not None:
        proposal.key_format = key.key_format
        proposal.guesses.append(f"key_format from the description or example of '{key.name}'")
    if key.max_batch is not None and key.max_batch < DEFAULT_MAX_BATCH:
        proposal.max_batch = key.max_batch
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


def _matching_field(key: _Key, fields: tuple[str, ...] | list[str]) -> tuple[str | None, str]:
    """The field repeating the key, and a review note when it is a guess (else "")."""
    word = snake(key.name)
    for name in (singular(word), word):
        for candidate in fields:
            if snake(candidate) == name or snake(candidate.rsplit(".", 1)[-1]) == name:
                return candidate, ""
    same_kind = [f for f in fields if key_kind(f.rsplit(".", 1)[-1]) == key.kind]
    scored = sorted(((similarity(singular(word), f), f) for f in same_kind), reverse=True)
    if scored and (scored[0][0] >= 0.5 or len(same_kind) == 1):
        score, best = scored[0]
        return best, f"key matched on '{best}' for '{key.name}' (score {score:.2f})"
    return None, ""


def _location(
    operation: Operation, shape: RecordsShape, latitude: _Key, longitude: _Key, fields: list[str]
) -> LookupProposal:
    proposal = LookupProposal("location", operation, shape, latitude.batched, operation.path)
    proposal.query = {latitude.name: "{keys.latitude}", longitude.name: "{keys.longitude}"}
    proposal.match_on = "position"
    proposal.guesses.append("answers in the order asked (match_on: position)")
    for part, names in (("latitude", _LATITUDE), ("longitude", _LONGITUDE)):
        echoed = next((f for f in fields if snake(f) in names), None)
        if echoed is not None:
            proposal.echo[part] = echoed
    if not latitude.batched:
        proposal.unusable = "the coordinates are not a comma-separated batch"
    return proposal


def _other_parameters(proposal: LookupProposal, rest: list[Schema], keys: list[_Key]) -> None:
    """Required non-key parameters get their example (a guess); optional ones a suggestion."""
    key_names = {k.name for k in keys}
    for parameter in rest:
        name = str(parameter["name"])
        if snake(name) in _PAGING_PARAMS:
            continue
        value = _example(parameter)
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
        elif _pushed(proposal, name, parameter):
            continue
        else:
            note = str(parameter.get("description") or "").split("\n")[0][:80]
            proposal.optional.append((name, value or "...", f"optional: {note}".rstrip(": ")))


def _example(parameter: Schema) -> str | None:
    schema = parameter.get("schema") if isinstance(parameter.get("schema"), dict) else {}
    assert isinstance(schema, dict)
    for value in (
        parameter.get("example"),
        schema.get("default"),
        schema.get("example"),
        (schema.get("enum") or [None])[0],
    ):
        if value is not None and not isinstance(value, dict | list):
            return str(value).lower() if isinstance(value, bool) else str(value)
    return None


_SINCE = ("since", "from", "after_date", "start_date", "date_from", "updated_since", "start")
_STATUS = ("status", "state", "statuses", "states")


def _pushed(proposal: LookupProposal, name: str, parameter: Schema) -> bool:
    """An optional ``since``/``status`` filter becomes a pushed-down argument (a guess)."""
    word = snake(name)
    schema = parameter.get("schema") if isinstance(parameter.get("schema"), dict) else {}
    assert isinstance(schema, dict)
    if word in _SINCE or word.endswith("_since"):
        form = "datetime"
        if schema.get("type") in ("integer", "number"):
            form = "epoch"
        elif schema.get("format") == "date":
            form = "date"
        proposal.arguments["since"] = {"param": name, "format": form}
        argument = "since"
    elif word in _STATUS:
        proposal.arguments["status"] = name
        argument = "status"
    else:
        return False
    proposal.guesses.append(f"'{name}' filters by {argument} (pushed down)")
    return True
