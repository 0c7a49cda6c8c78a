"""Running a plan: one request's state, the waits it starts, and the operation's answer.

The answer is graphql-core's: the same data, the same errors (message,
locations, path), null propagation through non-null fields to the nearest
nullable position.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode
from graphql.pyutils import Path as GraphQLPath

from schema.execution.adapter import VariableValues, get_variable_values
from schema.execution.eager import Waiting, close_unstarted, wait_all

MAX_VARIABLE_ERRORS = 50

# A response path as a linked list of (parent, key) pairs, built as cheaply as a tuple.
ResponsePath = tuple[Any, str | int] | None


def path_list(path: ResponsePath) -> list[str | int]:
    keys: list[str | int] = []
    while path is not None:
        path, key = path
        keys.append(key)
    keys.reverse()
    return keys


def graphql_path(path: ResponsePath) -> GraphQLPath | None:
    built: GraphQLPath | None = None
    for key in path_list(path):
        built = GraphQLPath(built, key, None)
    return built


class Run:
    """One execution: the request's context and variables, the errors so far, the waits."""

    __slots__ = (
        "context",
        "errors",
        "extensions",
        "nulled",
        "pending",
        "root_value",
        "variables",
    )

    def __init__(
        self,
        context: Any,
        root_value: Any,
        variables: VariableValues,
        extensions: dict[str, Any] | None,
    ) -> None:
        self.context = context
        self.root_value = root_value
        self.variables = variables
        self.extensions = extensions
        self.errors: list[GraphQLError] = []
        self.nulled: set[tuple[str | int, ...]] = set()
        self.pending: list[Awaitable[None]] = []

    def add_error(self, error: GraphQLError, path: ResponsePath) -> None:
        """Record a field error, unless an ancestor was already nulled (graphql-core's rule)."""
        keys = tuple(path_list(path))
        if any(keys[:depth] in self.nulled for depth in range(len(keys) + 1)):
            return
        self.nulled.add(keys)
        self.errors.append(error)


Complete = Callable[[Run, Any, ResponsePath], Any]
"""Completes one value of a type at a path; may return a ``Waiting`` if part of it must wait."""


def abandon(run: Run, waiting: list[tuple[Any, Awaitable[Any]]], mark: int) -> None:
    """A list or object nulled by a non-null part: nothing it started may run."""
    close_unstarted(w for _, w in waiting)
    close_unstarted(run.pending[mark:])
    del run.pending[mark:]


def then(run: Run, value: Any, complete: Complete, path: ResponsePath) -> Any:
    """Complete a resolved value now, or once it is there."""
    if type(value) is Waiting:
        return Waiting(complete_later(run, value.awaitable, complete, path))
    return complete(run, value, path)


async def complete_later(
    run: Run, awaitable: Awaitable[Any], complete: Complete, path: ResponsePath
) -> Any:
    """Wait for a resolver's value, complete it, and see through what that completion started.

    Nullable fields below that must wait were started by the completion; they are
    awaited here, with whatever non-null part still waits, so that one slow
    field delays only its own subtree.
    """
    value = await awaitable
    mark = len(run.pending)
    completed = complete(run, value, path)
    started = run.pending[mark:]
    del run.pending[mark:]
    if type(completed) is Waiting:
        done, *_ = await asyncio.gather(completed.awaitable, *started)
        return done
    await wait_all(started)
    return completed


async def fill(container: Any, waiting: list[tuple[Any, Awaitable[Any]]]) -> Any:
    """``container`` once its waiting non-null parts are in; the first failure propagates."""
    if len(waiting) == 1:
        ((key, awaitable),) = waiting
        container[key] = await awaitable
        return container
    values = await asyncio.gather(*(awaitable for _, awaitable in waiting))
    for (key, _), value in zip(waiting, values, strict=True):
        container[key] = value
    return container


async def store(container: dict[str, Any], key: str, awaitable: Awaitable[Any]) -> None:
    container[key] = await awaitable


@dataclass(slots=True, frozen=True)
class CompiledResult:
    data: dict[str, Any] | None
    errors: list[GraphQLError]


class CompiledOperation:
    """One query operation of a document, ready to run with any variables."""

    def __init__(
        self, schema: GraphQLSchema, operation: OperationDefinitionNode, root: Complete
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.name = operation.name.value if operation.name else None
        self._root = root

    async def execute(
        self,
        context: Any,
        variables: dict[str, Any] | None = None,
        root_value: Any = None,
        extensions: dict[str, Any] | None = None,
    ) -> CompiledResult:
        coerced = get_variable_values(
            self.schema,
            self.operation.variable_definitions or (),
            variables or {},
            max_errors=MAX_VARIABLE_ERRORS,
        )
        if isinstance(coerced, list):
            return CompiledResult(None, coerced)
        run = Run(context, root_value, coerced, extensions)
        try:
            data = self._root(run, root_value, None)
        except GraphQLError as error:
            return CompiledResult(None, [*run.errors, error])
        started, run.pending = run.pending, []
        if type(data) is Waiting:
            settled = await asyncio.gather(data.awaitable, *started, return_exceptions=True)
            data = settled[0]
            if isinstance(data, BaseException):
                if not isinstance(data, GraphQLError):
                    raise data
                return CompiledResult(None, [*run.errors, data])
        else:
            await wait_all(started)
        return CompiledResult(data, list(run.errors))
