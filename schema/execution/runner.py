"""Running a plan: one request's state, the waits it starts, and the operation's answer.

The answer is graphql-core's: the same data, the same errors (message,
locations, path), null propagation through non-null fields to the nearest
nullable position.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, located_error
from graphql.pyutils import Path as GraphQLPath

from schema.execution.adapter import VariableValues, get_variable_values
from schema.execution.eager import Waiting, close_arguments, close_unstarted
from schema.execution.plain_variables import PlainVariables

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
        "batch",
        "context",
        "errors",
        "extensions",
        "gathered",
        "later",
        "nulled",
        "pending",
        "root_value",
        "turns",
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
        self.gathered: list[Awaitable[Any]] = []
        """Every wait handed to a task: what a failed root field must close if not begun."""
        self.turns = 0
        """Loop turns graphql-core would take to reach the field being run eagerly now
        (one per enclosing object or list of which two or more parts wait: it runs
        them as tasks, each starting a turn later)."""
        self.later = 0
        """Errors to be recorded in a later turn, as graphql-core would record them."""
        self.batch: Later | None = None
        """The fields to start in a later turn that the completion under way has met."""

    def start_later(
        self, container: dict[str, Any], field: Any, source: Any, path: ResponsePath, turns: int
    ) -> None:
        """Start ``field`` (a nullable async ``fields.CompiledField``) ``turns`` turns later.

        Fields met one after the other by a completion, due in the same turn, start
        in one step, in order, as graphql-core's tasks would one after the other.
        """
        batch = self.batch
        pending = self.pending
        if batch is None or batch.turns != turns or not pending or pending[-1] is not batch.step:
            batch = self.batch = Later(self, turns)
            pending.append(batch.step)
        batch.fields.append((container, field, source, path))

    def gather(self, awaitables: list[Awaitable[Any]]) -> Awaitable[list[Any]]:
        """``asyncio.gather`` of waits, remembered in case the operation is abandoned."""
        self.gathered += awaitables
        return asyncio.gather(*awaitables)

    async def wait_all(self, awaitables: list[Awaitable[Any]]) -> None:
        if len(awaitables) == 1:
            await awaitables[0]
        elif awaitables:
            await self.gather(awaitables)

    def add_error(self, error: GraphQLError, path: ResponsePath) -> None:
        """Record a field error, unless an ancestor was already nulled (graphql-core's rule).

        A field graphql-core would reach only some turns later (``turns``) has its
        error recorded then, so that errors keep graphql-core's order.
        """
        if self.turns:
            self.later += 1
            asyncio.get_running_loop().call_soon(self._in_turns, self.turns, error, path)
            return
        self._add_error(error, path)

    def _in_turns(self, turns: int, error: GraphQLError, path: ResponsePath) -> None:
        if turns > 1:
            asyncio.get_running_loop().call_soon(self._in_turns, turns - 1, error, path)
            return
        self.later -= 1
        self._add_error(error, path)

    async def errors_recorded(self) -> list[GraphQLError]:
        """The errors, once those due in a later turn are in."""
        while self.later:  # noqa: ASYNC110 - turns are what is waited for, as tasks take them
            await asyncio.sleep(0)
        return list(self.errors)

    def _add_error(self, error: GraphQLError, path: ResponsePath) -> None:
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
        return Waiting(complete_later(run, value.awaitable, complete, path), value.future)
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
        done, *_ = await run.gather([completed.awaitable, *started])
        return done
    await run.wait_all(started)
    return completed


async def fill(run: Run, container: Any, waiting: list[tuple[Any, Awaitable[Any]]]) -> Any:
    """``container`` once its waiting non-null parts are in; the first failure propagates."""
    if len(waiting) == 1:
        ((key, awaitable),) = waiting
        container[key] = await awaitable
        return container
    values = await run.gather([awaitable for _, awaitable in waiting])
    for (key, _), value in zip(waiting, values, strict=True):
        container[key] = value
    return container


async def store(container: dict[str, Any], key: str, awaitable: Awaitable[Any]) -> None:
    container[key] = await awaitable


class Later:
    """Nullable async fields graphql-core starts ``turns`` loop turns from now, as tasks.

    graphql-core calls the resolvers of an object's fields in order but awaits a
    coroutine only later: as a task of its own (a turn later) when two or more
    fields wait, and a list's items that wait likewise. Here they start in one
    step, in that order and in that turn, with no task each: those that finish at
    once cost nothing more; those that wait are awaited as such tasks would await
    them (see ``_subscribed``).
    """

    __slots__ = ("fields", "step", "turns")

    def __init__(self, run: Run, turns: int) -> None:
        self.turns = turns
        self.fields: list[tuple[dict[str, Any], Any, Any, ResponsePath]] = []
        self.step = self._start(run, asyncio.current_task())

    async def _start(self, run: Run, created_in: Any) -> None:
        # Gathered with others, this begins in a task of its own: a turn has passed.
        turns = self.turns if asyncio.current_task() is created_in else self.turns - 1
        for _ in range(turns):
            await asyncio.sleep(0)
        waits: list[Awaitable[Any]] = []
        futures: list[Any] = []
        for container, field, source, path in self.fields:
            key = field.key
            field_path = (path, key)
            mark = len(run.pending)
            try:
                value = field.execute(run, source, path)
            except Exception as raw:
                close_unstarted(run.pending[mark:])  # of a subtree nulled before it waited
                del run.pending[mark:]
                run.add_error(located_error(raw, field.nodes, path_list(field_path)), field_path)
                container[key] = None
                continue
            if type(value) is Waiting:
                waits.append(_settle(run, container, field, field_path, value.awaitable))
                futures.append(value.future)
                value = None
            container[key] = value
            if len(run.pending) > mark:  # usually nothing: a value already there starts nothing
                started = run.pending[mark:]
                del run.pending[mark:]
                waits += started
                futures += [None] * len(started)
        if len(waits) == 1:
            await waits[0]
        elif waits:
            await run.gather(
                [
                    _subscribed(w, f) if f is not None else w
                    for w, f in zip(waits, futures, strict=True)
                ]
            )


async def _subscribed(awaitable: Awaitable[Any], future: Any) -> Any:
    """A resolver's rest, resumed when a task that had awaited ``future`` would resume.

    That task would have waited from the turn the resolver ran; this begins a turn
    later. If ``future`` was answered in between, such a task would go on only in
    the next turn: so does this.
    """
    if future.done():
        try:
            await asyncio.sleep(0)
        except BaseException:  # cancelled in that turn: ``awaitable`` will never run
            close_unstarted([awaitable])
            raise
    return await awaitable


async def _settle(
    run: Run, container: dict[str, Any], field: Any, path: ResponsePath, awaitable: Awaitable[Any]
) -> None:
    try:
        container[field.key] = await awaitable
    except Exception as raw:
        run.add_error(located_error(raw, field.nodes, path_list(path)), path)
        container[field.key] = None


@dataclass(slots=True, frozen=True)
class CompiledResult:
    data: dict[str, Any] | None
    errors: list[GraphQLError]


@dataclass(slots=True, frozen=True)
class RootField:
    """One root field of the operation, and whether graphql-core runs it later.

    graphql-core calls every root field in order; an async resolver only gives a
    coroutine, started once the plain fields are done: alone, inline; with
    others, each in a task of its own, all cancelled when one of them fails a
    non-null field (``gather_with_cancel``). Root fields are few, and that is
    what decides which errors a failing root field leaves in the answer.
    """

    key: str
    nodes: list[FieldNode]
    nullable: bool
    execute: Callable[[Run, Any, ResponsePath], Any]
    deferred: bool
    """An async resolver: graphql-core starts it after the plain root fields."""


class CompiledOperation:
    """One query operation of a document, ready to run with any variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        root_fields: Sequence[RootField],
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.name = operation.name.value if operation.name else None
        self._fields = tuple(root_fields)
        self._plain = PlainVariables.of(schema, operation.variable_definitions or ())

    async def execute(
        self,
        context: Any,
        variables: dict[str, Any] | None = None,
        root_value: Any = None,
        extensions: dict[str, Any] | None = None,
    ) -> CompiledResult:
        plain = self._plain
        at_a_glance = plain.coerced(variables or {}) if plain is not None else None
        coerced: VariableValues | list[GraphQLError]
        if at_a_glance is not None:
            coerced = at_a_glance
        else:
            coerced = get_variable_values(
                self.schema,
                self.operation.variable_definitions or (),
                variables or {},
                max_errors=MAX_VARIABLE_ERRORS,
            )
        if isinstance(coerced, list):
            return CompiledResult(None, coerced)
        run = Run(context, root_value, coerced, extensions)
        data: dict[str, Any] = {}
        awaiting: list[tuple[str, Awaitable[Any]]] = []
        for field in self._fields:
            if field.deferred:
                awaiting.append((field.key, _root_field(run, field, root_value)))
                data[field.key] = None
                continue
            mark = len(run.pending)
            try:
                value = field.execute(run, root_value, None)
            except Exception as raw:
                error = located_error(raw, field.nodes, [field.key])
                if not field.nullable:
                    close_unstarted(w for _, w in awaiting)
                    close_unstarted(run.pending)
                    return CompiledResult(None, [*run.errors, error])
                run.add_error(error, (None, field.key))
                value = None
            started = run.pending[mark:]
            del run.pending[mark:]
            if type(value) is Waiting or started:
                awaiting.append((field.key, _root_wait(run, field, value, started)))
                value = None
            data[field.key] = value
        try:
            if len(awaiting) == 1:
                ((key, awaitable),) = awaiting
                data[key] = await awaitable
            elif awaiting:
                values = await _gather_with_cancel(run, [awaitable for _, awaitable in awaiting])
                for (key, _), value in zip(awaiting, values, strict=True):
                    data[key] = value
        except GraphQLError as error:
            return CompiledResult(None, [*run.errors, error])
        return CompiledResult(data, await run.errors_recorded())


async def _gather_with_cancel(run: Run, awaitables: list[Awaitable[Any]]) -> list[Any]:
    """graphql-core's ``gather_with_cancel`` for the root fields, leaving nothing behind.

    When one fails, the others are cancelled as there; what they had handed to
    tasks not begun yet is closed first, so no coroutine is left never awaited
    and no lookup's failure is left unread (a cancelled task cancels only the
    future it is waiting on, as in graphql-core).
    """
    futures = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    try:
        return list(await asyncio.gather(*futures))
    except Exception:
        close_arguments(run.gathered)  # of the tasks not begun; the cancel ends them
        for future in futures:
            if not future.done():
                future.cancel()
        await asyncio.gather(*futures, return_exceptions=True)
        raise


async def _root_field(run: Run, field: RootField, root_value: Any) -> Any:
    """A root field with an async resolver, run when graphql-core would run it."""
    mark = len(run.pending)
    try:
        value = field.execute(run, root_value, None)
    except Exception as raw:
        error = located_error(raw, field.nodes, [field.key])
        if not field.nullable:
            close_unstarted(run.pending[mark:])
            del run.pending[mark:]
            raise error from None
        run.add_error(error, (None, field.key))
        return None
    started = run.pending[mark:]
    del run.pending[mark:]
    return await _root_wait(run, field, value, started)


async def _root_wait(run: Run, field: RootField, value: Any, started: list[Awaitable[None]]) -> Any:
    """A root field's value once what it waits for is in; its error recorded if nullable."""
    try:
        if type(value) is Waiting:
            if started:
                value, *_ = await run.gather([value.awaitable, *started])
            else:
                value = await value.awaitable
        else:
            await run.wait_all(started)
    except Exception as raw:
        error = located_error(raw, field.nodes, [field.key])
        if not field.nullable:
            raise error from None
        run.add_error(error, (None, field.key))
        return None
    return value
