"""Compiled plans for the operations clients send again and again.

Saved queries are compiled at start. An ad-hoc text is compiled after it ran
once through the generic path without a request error (so it parsed, passed
every limit and validated); from then on it runs as a plan: no parse, no
validation, no per-field dispatch. Texts the compiler does not handle are
remembered as such and keep running generically. The table is bounded (LRU),
so a client sending endless new texts costs a compile each, like a validation.

A plan's answer gets what the schema extensions give a generic one: internal
errors masked with the request id, operation metrics, the freshness report.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import strawberry
from cachetools import LRUCache
from graphql import GraphQLError, parse
from strawberry.types import ExecutionResult

from gateway.errors import client_errors
from gateway.observability import freshness_report, observe_operation
from schema.execution import CompiledOperation, NotCompilable, compile_operation

log = logging.getLogger("c360.compiled")

Key = tuple[str, str | None]


class CompiledQueries:
    """Plans by (query text, operation name); None marks a text that runs generically."""

    def __init__(
        self, schema: strawberry.Schema, maxsize: int = 512, *, enabled: bool = True
    ) -> None:
        self.schema = schema
        self.enabled = enabled
        self._plans: LRUCache[Key, CompiledOperation | None] = LRUCache(maxsize=maxsize)

    def plan_for(self, text: str | None, operation_name: str | None) -> CompiledOperation | None:
        if text is None:
            return None
        return self._plans.get((text, operation_name))

    def knows(self, text: str, operation_name: str | None) -> bool:
        return not self.enabled or (text, operation_name) in self._plans

    def learn(self, text: str, operation_name: str | None) -> CompiledOperation | None:
        """Compile ``text`` (which already validated against the schema) for next time."""
        if not self.enabled:
            return None
        try:
            plan: CompiledOperation | None = compile_operation(
                self.schema, parse(text), operation_name
            )
        except NotCompilable as reason:
            log.debug("runs generically: %s", reason)
            plan = None
        self._plans[(text, operation_name)] = plan
        return plan

    async def execute(
        self,
        plan: CompiledOperation,
        variables: dict[str, Any] | None,
        context: Any,
        extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Run ``plan`` as the schema would, schema extensions included.

        ``extensions`` are the request's (what resolvers read as ``info.input_extensions``).
        """
        started = time.perf_counter()
        result = await plan.execute(context, variables, extensions=extensions)
        errors: list[GraphQLError] = result.errors
        observe_operation(plan.name, errors, started)
        if errors:
            errors = client_errors(errors, getattr(context, "request_id", None))
        return ExecutionResult(
            data=result.data,
            errors=errors or None,
            extensions=freshness_report(context) or None,
        )
