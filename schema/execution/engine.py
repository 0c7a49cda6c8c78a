"""The engine plugged into Strawberry: plans run inside its extension pipeline.

Strawberry parses and validates (with whatever limits and caches the schema's
extensions add); then, in ``on_execute``, the engine's extension runs the
operation's plan and sets ``execution_context.result``, which makes Strawberry
skip graphql-core's executor (``Schema._execute_operation``). Every other
extension (masking, metrics, freshness, tracing) therefore sees a plan's answer
exactly as it sees a generic one.

Plans are kept by (query text, operation name) in a bounded LRU; texts longer
than ``max_text_bytes`` are never kept. A text that cannot be compiled is kept
with its reason and runs generically; each such execution calls
``on_fallback(reason)`` and the first one of an operation logs a line.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import OperationDefinitionNode, parse, validate
from strawberry.extensions import SchemaExtension

from schema.execution.adapter import graphql_schema
from schema.execution.fallback import NotCompilable, Reason
from schema.execution.plain_data import PlainDataExecutionContext
from schema.execution.planner import compile_operation
from schema.execution.runner import CompiledOperation

log = logging.getLogger("c360.execution")

Key = tuple[str, str | None]


@dataclass(slots=True, frozen=True)
class Fallback:
    """A text the engine runs generically, and why."""

    reason: Reason
    detail: str


Entry = CompiledOperation | Fallback


class PlanCache:
    """One schema's plans and fallbacks by (text, operation name); least recently used out first."""

    def __init__(self, max_plans: int) -> None:
        self.max_plans = max_plans
        self._entries: OrderedDict[Key, Entry] = OrderedDict()

    def get(self, key: Key) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: Key, entry: Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_plans:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Key) -> bool:
        return key in self._entries


class ExecutionEngine:
    """Process-wide: the plan cache and the hooks that plug plans into a Strawberry schema."""

    execution_context_class: type = PlainDataExecutionContext
    """The plain-data executor, for what runs generically (pass to ``strawberry.Schema``)."""

    def __init__(
        self,
        *,
        max_plans: int = 512,
        max_text_bytes: int = 64_000,
        on_fallback: Callable[[str], None] | None = None,
    ) -> None:
        self.max_plans = max_plans
        self.max_text_bytes = max_text_bytes
        self.on_fallback = on_fallback
        self._caches: dict[int, tuple[strawberry.Schema, PlanCache]] = {}
        self._large_logged: OrderedDict[tuple[int, str | None], None] = OrderedDict()

    def extension(self) -> SchemaExtension:
        """A factory: pass the bound method in ``Schema(extensions=[...])``; one per request."""
        return PlanExtension(self)

    def plans(self, schema: strawberry.Schema) -> PlanCache:
        """The plan cache of ``schema`` (one per schema the engine serves)."""
        found = self._caches.get(id(schema))
        if found is None or found[0] is not schema:
            found = (schema, PlanCache(self.max_plans))
            self._caches[id(schema)] = found
        return found[1]

    def precompile(
        self, schema: strawberry.Schema, text: str, operation_name: str | None = None
    ) -> str | None:
        """Compile a saved query at start; None when compiled, else the fallback reason."""
        if self._too_large(text):
            return "too_large"
        document = parse(text)
        errors = validate(graphql_schema(schema), document)
        if errors:
            raise ValueError(f"the saved query does not validate: {errors[0].message}")
        if operation_name is None:  # named as Strawberry names a request that names none
            first = next(
                (d for d in document.definitions if isinstance(d, OperationDefinitionNode)), None
            )
            operation_name = first.name.value if first is not None and first.name else None
        entry = self._compile(schema, (text, operation_name), document)
        return entry.reason if isinstance(entry, Fallback) else None

    def entry_for(
        self, schema: strawberry.Schema, text: str | None, name: str | None, document: Any
    ) -> Entry:
        """The plan or fallback of a validated request text, compiling an unseen one now."""
        if text is None:
            return Fallback("unsupported", "a document without its text")
        if self._too_large(text):
            self._log_large(text, name)
            return _TOO_LARGE
        key = (text, name)
        cache = self.plans(schema)
        entry = cache.get(key)
        if entry is None:
            entry = self._compile(schema, key, document)
        return entry

    def _too_large(self, text: str) -> bool:
        """Longer than ``max_text_bytes`` in UTF-8 (encoded only when characters can't tell)."""
        if len(text) > self.max_text_bytes:
            return True
        if len(text) * 4 <= self.max_text_bytes or text.isascii():
            return False
        return len(text.encode("utf-8", "surrogatepass")) > self.max_text_bytes

    def fell_back(self, reason: Reason) -> None:
        if self.on_fallback is not None:
            self.on_fallback(reason)

    def _compile(self, schema: strawberry.Schema, key: Key, document: Any) -> Entry:
        entry: Entry
        try:
            entry = compile_operation(schema, document, key[1])
        except NotCompilable as refused:
            entry = Fallback(refused.reason, refused.detail)
            log.info(
                "operation %s runs generically (%s): %s",
                key[1] or "(anonymous)",
                entry.reason,
                entry.detail,
            )
        self.plans(schema).put(key, entry)
        return entry

    def _log_large(self, text: str, name: str | None) -> None:
        """Once per text (remembered by hash, bounded), as for any other fallback."""
        key = (hash(text), name)
        if key in self._large_logged:
            return
        self._large_logged[key] = None
        if len(self._large_logged) > self.max_plans:
            self._large_logged.popitem(last=False)
        log.info(
            "operation %s runs generically (too_large): %d characters, plans keep up to %d",
            name or "(anonymous)",
            len(text),
            self.max_text_bytes,
        )


_TOO_LARGE = Fallback("too_large", "the text is longer than plans are kept for")


class PlanExtension(SchemaExtension):
    """Runs the operation's plan in ``on_execute``; Strawberry then skips graphql-core."""

    def __init__(self, engine: ExecutionEngine) -> None:
        self.engine = engine

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        # Variables that are not an object are the client's error, worded by graphql-core.
        if ctx.result is None and isinstance(ctx.variables, dict | None):
            entry = self.engine.entry_for(
                ctx.schema, ctx.query, ctx.operation_name, ctx.graphql_document
            )
            if isinstance(entry, Fallback):
                self.engine.fell_back(entry.reason)
            else:
                answer = await entry.execute(
                    ctx.context, ctx.variables, ctx.root_value, ctx.operation_extensions
                )
                ctx.result = GraphQLExecutionResult(answer.data, answer.errors or None)
        yield
