"""What one parameter of an operation says: a key (which kind, batched how), or a filter.

Read from the parameter's name, schema, description and example: ``customer_ids``
(an array: sent repeated), ``emails`` ("Comma-separated, at most 500"),
``mobile`` ("national digits only"), ``since`` (a filter the source applies).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sources.openapi.answers import flattened, properties
from sources.openapi.document import Document, Operation, Schema
from sources.openapi.names import key_kind, singular, snake

_AT_MOST = re.compile(r"at most (\d+)|max(?:imum)?\.? (\d+)|up to (\d+)", re.IGNORECASE)
LATITUDE = ("lat", "latitude")
LONGITUDE = ("lon", "lng", "long", "longitude")


@dataclass(frozen=True, slots=True)
class KeyParameter:
    """A parameter that carries keys: where, of what kind, and how a batch is written."""

    name: str
    where: str
    kind: str
    template: str
    batched: bool
    max_batch: int | None
    key_format: str | dict[str, str] | None = None


def key_parameter(doc: Document, parameter: Schema) -> KeyParameter | None:
    """The key ``parameter`` carries, or None for a parameter that is no key."""
    name = str(parameter["name"])
    word = snake(name)
    description = str(parameter.get("description") or "")
    kind = "location" if word in (*LATITUDE, *LONGITUDE) else key_kind(name)
    if kind is None and parameter.get("in") == "query":
        kind = _described_kind(description)
    if kind is None:
        return None
    form = _key_format(kind, description, example_of(parameter))
    if parameter.get("in") == "path":
        return KeyParameter(name, "path", kind, "{key}", False, None, form)
    schema = flattened(doc, parameter.get("schema"))
    limit = _at_most(schema, description)
    if schema.get("type") == "array":
        explode = parameter.get("explode", parameter.get("style", "form") == "form")
        return KeyParameter(
            name, "query", kind, "{keys*}" if explode else "{keys}", True, limit, form
        )
    plural = singular(word) != word
    listed = "comma" in description.lower() or "," in str(parameter.get("example") or "")
    if plural or listed:
        return KeyParameter(name, "query", kind, "{keys}", True, limit, form)
    return KeyParameter(name, "query", kind, "{key}", False, None, form)


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


def body_keys(doc: Document, operation: Operation) -> list[KeyParameter]:
    """Keys a POST body takes as a list (``{"emails": [...]}``)."""
    if operation.method != "POST" or operation.request_body is None:
        return []
    found = []
    for name, spec in properties(doc, flattened(doc, operation.request_body)).items():
        kind = key_kind(name)
        if spec.get("type") == "array" and kind is not None:
            limit = _at_most(spec, str(spec.get("description") or ""))
            found.append(KeyParameter(name, "body", kind, "{keys}", True, limit))
    return found


def _at_most(schema: Schema, description: str) -> int | None:
    bound = schema.get("maxItems")
    if isinstance(bound, int) and not isinstance(bound, bool) and bound >= 1:
        return bound
    match = _AT_MOST.search(description)
    found = int(next(g for g in match.groups() if g)) if match else 0
    return found if found >= 1 else None


def example_of(parameter: Schema) -> str | None:
    """A value to send for a parameter: its example, default, or first allowed value."""
    schema = parameter.get("schema") if isinstance(parameter.get("schema"), dict) else {}
    assert isinstance(schema, dict)
    allowed = schema.get("enum")
    first_allowed = allowed[0] if isinstance(allowed, list) and allowed else None
    for value in (
        parameter.get("example"),
        schema.get("default"),
        schema.get("example"),
        first_allowed,
    ):
        if value is not None and not isinstance(value, dict | list):
            return str(value).lower() if isinstance(value, bool) else str(value)
    return None


_SINCE = ("since", "from", "after_date", "start_date", "date_from", "updated_since", "start")
_STATUS = ("status", "state", "statuses", "states")


def pushed_argument(name: str, parameter: Schema) -> tuple[str, Any] | None:
    """The field argument (``since``, ``status``) an optional filter parameter takes, if any."""
    word = snake(name)
    schema = parameter.get("schema") if isinstance(parameter.get("schema"), dict) else {}
    assert isinstance(schema, dict)
    if word in _SINCE or word.endswith("_since"):
        form = "datetime"
        if schema.get("type") in ("integer", "number"):
            form = "epoch"
        elif schema.get("format") == "date":
            form = "date"
        return "since", {"param": name, "format": form}
    if word in _STATUS:
        return "status", name
    return None
