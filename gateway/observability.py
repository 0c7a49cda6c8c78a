"""Per-operation metrics and the freshness report, as one Strawberry extension.

Operation names come from clients, so the metric label is bounded: names are
cut to ``MAX_OPERATION_NAME_LENGTH`` characters; only operations that parsed and
validated (that ran) may claim one of the ``MAX_OPERATION_NAMES`` series, so a
flood of junk or refused requests cannot push real names into ``other``; refused
operations are counted as ``refused``, later names beyond the cap as ``other``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from graphql.error import GraphQLError
from prometheus_client import Counter, Histogram
from strawberry.extensions import SchemaExtension

from gateway.graphql_http import failed_before_execution

MAX_OPERATION_NAMES = 200
MAX_OPERATION_NAME_LENGTH = 64

OPERATIONS = Counter(
    "c360_operations_total", "GraphQL operations by name and outcome.", ["operation", "outcome"]
)
OPERATION_LATENCY = Histogram(
    "c360_operation_seconds",
    "GraphQL operation latency by name.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ERRORS = Counter("c360_graphql_errors_total", "GraphQL errors by extensions.code.", ["code"])
FALLBACKS = Counter(
    "c360_execution_fallbacks_total",
    "Operations run by the generic executor instead of a compiled plan, by reason.",
    ["reason"],
)

_known_names: set[str] = set()

_series: dict[tuple[str, bool], tuple[Counter, Histogram]] = {}
"""Per label and outcome, the bound operation counter and latency histogram: ``labels()``
takes a lock and builds a key, on every request (the labels are bounded, so is this)."""


def operation_label(name: str | None, *, ran: bool = True) -> str:
    """The metric label of an operation named ``name``; ``ran`` is False when it was refused."""
    if not ran:
        return "refused"
    if not name:
        return "anonymous"
    name = name[:MAX_OPERATION_NAME_LENGTH]
    if name in _known_names:
        return name
    if len(_known_names) < MAX_OPERATION_NAMES:
        _known_names.add(name)
        return name
    return "other"


def error_code(error: GraphQLError) -> str:
    extensions = error.extensions or {}
    code = extensions.get("code")
    if isinstance(code, str):
        return code
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    return "GRAPHQL_VALIDATION_FAILED" if error.path is None else "INTERNAL_SERVER_ERROR"


def observe_operation(
    name: str | None, errors: list[GraphQLError], started: float, *, ran: bool = True
) -> None:
    """Count and time one operation (``started`` by ``perf_counter``), its errors by code."""
    label = operation_label(name, ran=ran)
    for error in errors:
        ERRORS.labels(error_code(error)).inc()
    failed = bool(errors)
    series = _series.get((label, failed))
    if series is None:
        series = _series[(label, failed)] = (
            OPERATIONS.labels(label, "error" if failed else "ok"),
            OPERATION_LATENCY.labels(label),
        )
    counted, timed = series
    counted.inc()
    timed.observe(time.perf_counter() - started)


def count_fallback(reason: str) -> None:
    """The execution engine's ``on_fallback``: one operation ran generically for ``reason``.

    Reasons are the engine's short codes (``introspection``, ``abstract_type``, ...),
    a small fixed set, so they are safe as a label.
    """
    FALLBACKS.labels(reason).inc()


def freshness_report(context: Any) -> dict[str, Any]:
    """``{"freshness": [...]}`` naming the stale answers this request got; empty if none."""
    loaders = getattr(context, "loaders", None)
    notes = getattr(loaders, "stale", None)
    if not notes:
        return {}
    return {
        "freshness": [
            {
                "source": note.source,
                "entity": note.entity,
                "stale": True,
                "asOf": datetime.fromtimestamp(note.stored_at, tz=UTC).isoformat(),
                "reason": note.reason,
            }
            for note in notes
        ]
    }


class OperationObserver(SchemaExtension):
    """Counts and times each operation, counts its errors by code, reports stale answers."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        ctx = self.execution_context
        try:
            yield
        except Exception as failed:
            # A step that raised instead of answering errors (the parse cache's syntax
            # error): the operation ends here, refused, and is counted as such.
            error = (
                failed
                if isinstance(failed, GraphQLError)
                else GraphQLError(str(failed), extensions={"code": "BAD_REQUEST"})
            )
            observe_operation(ctx.operation_name, [error], started, ran=False)
            raise
        errors = (ctx.result.errors if ctx.result else None) or ctx.pre_execution_errors or []
        data = ctx.result.data if ctx.result else None
        ran = not failed_before_execution(data, errors)
        observe_operation(ctx.operation_name, errors, started, ran=ran)

    def get_results(self) -> dict[str, Any]:
        return freshness_report(self.execution_context.context)
