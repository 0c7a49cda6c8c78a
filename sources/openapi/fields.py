"""Which domain record a source's records are, and which source field fills which domain field.

Guessed by name similarity (difflib; rapidfuzz is not a dependency) between the
answer schema's property names and the domain records' fields (a ``Domain``
handed in: the resolvers layer's records, never imported here), weighed by
whether the types fit (a total must be a number, ``placed_at`` a timestamp). A few domain synonyms
(``created_at`` for ``placed_at``, ``zip`` for ``postal_code``) are the customer
domain's knowledge, written down here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sources.openapi.answers import list_item, walk
from sources.openapi.document import Document, Schema
from sources.openapi.domain import Domain
from sources.openapi.names import key_kind, similarity, singular, snake

ACCEPT = 0.7
"""A field guess at least this good is written; a required field takes one down to ``REQUIRED``."""
REQUIRED = 0.45
SERVES_ACCEPT = 0.5
"""A record kind scoring below this is not proposed (the entity is left as a suggestion)."""

RECORD_ALIASES: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "contact", "person", "profile", "client", "user", "member", "lead"),
    "orders": ("order", "purchase", "sale", "sales_order"),
    "invoices": ("invoice", "bill", "credit_note", "statement", "charge"),
    "tickets": ("ticket", "case", "issue", "incident", "support_request"),
    "web_visits": ("visit", "web_visit", "session", "pageview"),
    "social_mentions": ("mention", "social_mention", "post"),
    "weather": ("weather", "forecast", "current_weather", "observation"),
    "rfm_cutpoints": ("rfm", "rfm_cut_points", "rfm_cutpoints", "cut_points"),
}
"""Names a system may give each domain record."""

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "placed_at": ("created_at", "ordered_at", "order_date", "date"),
    "total": ("amount", "grand_total", "total_amount", "order_total"),
    "amount": ("total", "gross_amount", "amount_due", "total_amount"),
    "amount_paid": ("paid_amount", "paid"),
    "issued_on": ("issue_date", "invoice_date", "issued_at", "date"),
    "due_on": ("due_date", "due_at"),
    "postal_code": ("zip", "zip_code", "postcode"),
    "first_name": ("given_name", "firstname"),
    "last_name": ("family_name", "surname", "lastname"),
    "phone": ("phone_number", "mobile", "telephone"),
    "email": ("email_address", "mail"),
    "started_at": ("start", "start_time", "session_start"),
    "ended_at": ("end", "end_time", "session_end"),
    "posted_at": ("published_at", "created_at"),
    "observed_at": ("time", "observation_time"),
    "text": ("body", "content", "message"),
    "subject": ("title", "summary"),
    "status": ("state",),
    "state": ("region", "province"),
    "priority": ("urgency", "severity"),
    "channel": ("via", "medium"),
    "created_at": ("opened_at", "created", "creation_date"),
}


@dataclass(frozen=True, slots=True)
class FieldChoice:
    """One domain field and the source field proposed for it (None: nothing fits)."""

    domain: str
    source: str | None
    score: float
    exact: bool
    required: bool
    nested: tuple[FieldChoice, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordMapping:
    """A proposed ``serves`` and ``fields`` for one entity."""

    serves: str
    score: float
    exact: bool
    fields: tuple[FieldChoice, ...]
    unmapped: tuple[str, ...]

    def source_of(self, domain: str) -> str | None:
        return next((c.source for c in self.fields if c.domain == domain), None)


def propose_mapping(
    doc: Document, record: Schema, names: Sequence[str], domain: Domain
) -> tuple[RecordMapping | None, str]:
    """The best-fitting domain record for ``record`` (named ``names``), or None and why not."""
    tried: list[tuple[float, str, RecordMapping | None, str]] = []
    for serves, record_type in domain.records.items():
        name_score = max(
            similarity(alias, word)
            for alias in RECORD_ALIASES.get(serves, (serves,))
            for word in _words(names)
        )
        choices = map_fields(doc, record, record_type, names, domain.nested)
        missing = [c.domain for c in choices if c.required and c.source is None]
        found = [c for c in choices if c.source is not None]
        coverage = sum(c.score for c in found) / max(1, len(choices))
        score = 0.6 * name_score + 0.4 * coverage
        if missing:
            tried.append((score, serves, None, f"no field for required {', '.join(missing)}"))
            continue
        used = {c.source for c in found} | {
            f"{c.source}.{n.source}" for c in found for n in c.nested if n.source
        }
        unmapped = tuple(p for p, _ in walk(doc, record) if p not in used and not _inside(p, used))
        exact = name_score == 1.0
        tried.append((score, serves, RecordMapping(serves, score, exact, choices, unmapped), ""))
    tried.sort(key=lambda t: t[0], reverse=True)
    for score, _, mapping, _ in tried:
        if mapping is not None and score >= SERVES_ACCEPT:
            return mapping, ""
    best = tried[0]
    why = f"best fit '{best[1]}' (score {best[0]:.2f})" + (f": {best[3]}" if best[3] else "")
    return None, why


def _inside(path: str, used: set[str | None]) -> bool:
    return any(
        u is not None and (path.startswith(f"{u}.") or u.startswith(f"{path}.")) for u in used
    )


def _words(names: Sequence[str]) -> list[str]:
    """The names and their snake_case words, singular: ``BillingAccount`` → billing, account."""
    words: list[str] = []
    for name in names:
        whole = singular(snake(name))
        words.append(whole)
        words.extend(singular(w) for w in whole.split("_") if len(w) > 2)
    return words or ["?"]


def map_fields(
    doc: Document,
    record: Schema,
    record_type: type,
    names: Sequence[str],
    nested_types: Mapping[str, type],
) -> tuple[FieldChoice, ...]:
    """For each field of ``record_type`` the best-scoring free source field (greedy by score)."""
    hints = typing.get_type_hints(record_type)
    domain = [f for f in dataclasses.fields(record_type) if f.name not in ("source", "links")]
    required = {
        f.name
        for f in domain
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    candidates = list(walk(doc, record))
    pairs: list[tuple[float, bool, bool, float, str, str]] = []
    for f in domain:
        for path, spec in candidates:
            score = _name_score(f.name, path, names) * _fits(
                hints[f.name],
                f.name,
                f.name in nested_types,
                doc,
                spec,
                path.rsplit(".", 1)[-1],
            )
            floor = REQUIRED if f.name in required else ACCEPT
            if score >= floor:
                # Ties (two 'time' fields) go to the path closer to the name as a whole.
                # Ties go to the same name (customer_id is customer_id before it is the
                # order's id), then to the path closer to the name as a whole.
                same = snake(path) == snake(f.name)
                whole = similarity(f.name, path.replace(".", "_"))
                pairs.append((score, same, f.name in required, whole, f.name, path))
    pairs.sort(key=lambda p: p[:4], reverse=True)
    chosen: dict[str, tuple[str, float]] = {}
    taken: set[str] = set()
    for score, _, _, _, name, path in pairs:
        if name not in chosen and path not in taken:
            chosen[name] = (path, score)
            taken.add(path)
    result = []
    for f in domain:
        picked = chosen.get(f.name)
        source_path = picked[0] if picked is not None else None
        score = picked[1] if picked is not None else 0.0
        nested: tuple[FieldChoice, ...] = ()
        if source_path is not None and f.name in nested_types:
            spec = dict(candidates)[source_path]
            item = list_item(doc, spec)
            if item is not None:
                nested = map_fields(doc, item, nested_types[f.name], [source_path], nested_types)
        exact = source_path is not None and snake(source_path) == snake(f.name)
        result.append(
            FieldChoice(f.name, source_path, round(score, 2), exact, f.name in required, nested)
        )
    return tuple(result)


def _name_score(domain: str, path: str, names: Sequence[str]) -> float:
    leaf = path.rsplit(".", 1)[-1]
    if domain == "id":
        if "." in path:
            return 0.0
        if snake(leaf) == "id":
            return 1.0
        word = snake(leaf)
        named = max(similarity(word, w) for w in _words(names))
        if named >= 0.8:  # a field named for the record ('ticket' on a Ticket)
            return 0.5 + 0.5 * named
        for ending in ("_id", "_no", "_number", "_key", "_ref", "_code", "id"):
            if word.endswith(ending) and len(word) > len(ending):
                prefix = word[: -len(ending)].rstrip("_")
                return 0.5 + 0.5 * max(similarity(prefix, w) for w in _words(names))
        return 0.0
    spellings = [leaf]
    if "." in path:
        parent = path.rsplit(".", 2)[-2]
        spellings.append(leaf if snake(leaf).startswith(snake(parent)) else f"{parent}_{leaf}")
    best = max(similarity(domain, s) for s in spellings)
    for alias in FIELD_ALIASES.get(domain, ()):
        best = max(best, 0.95 * max(similarity(alias, s) for s in spellings))
    return best


def _fits(
    hint: object, name: str, nested: bool, doc: Document, spec: Schema, path_leaf: str
) -> float:
    """How well a source type fits a domain field's type: 1 fits, 0 cannot."""
    kind = spec.get("type")
    fmt = spec.get("format")
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
        origin = typing.get_origin(hint)
    if nested:
        return 1.0 if list_item(doc, spec) is not None else 0.0
    if name != "id" and key_kind(name) in ("email", "phone", "handle"):
        # An email field takes an email (a user id named 'requester' is no requester_email).
        said = "email" if fmt == "email" else key_kind(path_leaf)
        if said != key_kind(name):
            return 0.0
    if origin is not None:  # a tuple of scalars
        return 1.0 if kind == "array" and list_item(doc, spec) is None else 0.0
    if kind is None:
        return 0.7
    table: dict[object, dict[str, float]] = {
        str: {"string": 1.0, "integer": 0.9, "number": 0.6, "boolean": 0.5},
        float: {"number": 1.0, "integer": 1.0},
        int: {"integer": 1.0, "number": 0.8},
        bool: {"boolean": 1.0},
    }
    if hint is datetime:
        if kind == "string":
            return 1.0 if fmt == "date-time" else 0.8
        return 0.6 if kind in ("integer", "number") else 0.0
    if hint is date:
        if kind == "string":
            return 1.0 if fmt == "date" else 0.9 if fmt == "date-time" else 0.8
        return 0.0
    return table.get(hint, {}).get(str(kind), 0.0)
