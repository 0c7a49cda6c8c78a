"""Several schema extensions run as one, so Strawberry's per-request machinery runs once for them.

For every request and every extension in the list, Strawberry (checked against
strawberry-graphql 0.341.2) builds the extension, looks up each of its five
hooks, wraps every hook it has in a fresh ``contextlib`` context manager
(``functools.wraps`` included), enters it on an exit stack and collects its
``get_results``. With the gateway's nine checks that cost more than the compiled
plan of a small query. ``compose`` puts adjacent extensions into one: Strawberry
sees a single extension, whose hooks run the members' hook generators directly,
in list order on the way in and in reverse order on the way out, as
Strawberry's exit stack does; their results are merged in list order. Which
hooks each member has is found once, when the list is composed.

A composed hook is async when one of its members' is (Strawberry's async
runner drives it; the gateway runs asynchronously only). Extensions that wrap
resolvers (``resolve``), have coroutine hooks or an async ``get_results``, or
are passed as instances stay their own extension at their place in the list, so
every hook still runs in the order of the list. Only public extension hooks are
used.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Callable, Generator, Sequence
from typing import Any, ClassVar

from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

HOOKS = ("on_operation", "on_parse", "on_validate", "on_execute", "on_stream_result")
"""Strawberry's lifecycle hooks (``on_stream_result`` takes the result as its argument)."""

Factory = Callable[[], SchemaExtension]
"""What ``Schema(extensions=[...])`` takes besides instances: a class or a callable."""

Running = Generator[None, None, None]
MemberHook = Callable[..., Any]
"""A member's hook as a generator function, sync or async."""


def compose(extensions: Sequence[Any]) -> list[Any]:
    """``extensions`` with each run of two or more composable ones replaced by one extension."""
    composed: list[Any] = []
    group: list[tuple[Factory, type[SchemaExtension]]] = []

    def close_group() -> None:
        if len(group) == 1:
            composed.append(group[0][0])
        elif group:
            composed.append(composed_extension(list(group)))
        group.clear()

    for extension in extensions:
        # A factory may be a lambda: one extension is built here to learn its class.
        kind = None if isinstance(extension, SchemaExtension) else type(extension())
        if kind is not None and composable(kind):
            group.append((extension, kind))
        else:
            close_group()
            composed.append(extension)
    close_group()
    return composed


def composable(kind: type[SchemaExtension]) -> bool:
    """Whether ``kind``'s hooks can be driven from a composed one (it wraps no resolver)."""
    if kind.resolve is not SchemaExtension.resolve:
        return False
    if inspect.iscoroutinefunction(kind.get_results):
        return False
    for name in HOOKS:
        hook = getattr(kind, name)
        if hook is getattr(SchemaExtension, name):
            continue
        if inspect.iscoroutinefunction(hook) or not callable(hook):
            return False
    return True


def composed_extension(members: list[tuple[Factory, type[SchemaExtension]]]) -> type[Composed]:
    """One extension class running ``members`` (factories and the classes they build)."""
    namespace: dict[str, Any] = {
        "factories": tuple(factory for factory, _ in members),
        "result_members": tuple(
            index
            for index, (_, kind) in enumerate(members)
            if kind.get_results is not SchemaExtension.get_results
        ),
    }
    for name in HOOKS:
        hooks = tuple(
            (index, _as_generator(getattr(kind, name)))
            for index, (_, kind) in enumerate(members)
            if getattr(kind, name) is not getattr(SchemaExtension, name)
        )
        if hooks:  # a hook Strawberry must not even look at when no member has it
            namespace[name] = _hook(hooks)
    names = ", ".join(kind.__name__ for _, kind in members)
    return type(f"Composed[{names}]", (Composed,), namespace)


class Composed(SchemaExtension):
    """Stands for its members in Strawberry's pipeline; built per request like any extension."""

    factories: ClassVar[tuple[Factory, ...]] = ()
    result_members: ClassVar[tuple[int, ...]] = ()

    def __init__(self) -> None:
        self.members = [factory() for factory in self.factories]

    @property
    def execution_context(self) -> ExecutionContext:
        return self._execution_context

    @execution_context.setter
    def execution_context(self, context: ExecutionContext) -> None:
        """Strawberry sets the request's context on the extension: every member gets it."""
        self._execution_context = context
        for member in self.members:
            member.execution_context = context

    def get_results(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for index in self.result_members:
            merged.update(self.members[index].get_results())  # type: ignore[arg-type]
        return merged


def _as_generator(hook: Callable[..., Any]) -> MemberHook:
    """A plain hook runs before the step, as Strawberry runs it; a generator hook as it is."""
    if inspect.isgeneratorfunction(hook) or inspect.isasyncgenfunction(hook):
        return hook

    def before(extension: SchemaExtension, *args: Any) -> Running:
        hook(extension, *args)
        yield

    return before


def _hook(hooks: tuple[tuple[int, MemberHook], ...]) -> Callable[..., Any]:
    """The composed hook: a generator, or an async one when a member's hook is async.

    The members' hooks are entered in order and finished last first. A hook failing
    on the way in leaves the ones entered before it unfinished (closed), as
    Strawberry's runner does; on the way out each hook sees the exception the later
    ones left, and one that swallows it ends it, as on an exit stack.
    """
    if any(inspect.isasyncgenfunction(hook) for _, hook in hooks):
        return _async_hook(tuple((i, hook, inspect.isasyncgenfunction(hook)) for i, hook in hooks))

    def run(self: Composed, *args: Any) -> Running:
        members = self.members
        entered: list[Running] = []
        try:
            for index, hook in hooks:
                running = hook(members[index], *args)
                next(running)
                entered.append(running)
        except BaseException:
            for running in entered:
                running.close()
            raise
        try:
            yield
        except BaseException as failed:
            _finish(entered, failed)
            return
        _finish(entered, None)

    return run


def _finish(entered: list[Running], failed: BaseException | None) -> None:
    """Run the rest of each entered hook, last first; raise what is left of ``failed``."""
    pending = failed
    for running in reversed(entered):
        try:
            if pending is None:
                next(running)
            else:
                running.throw(pending)
        except StopIteration:
            pending = None
        except BaseException as raised:
            pending = raised
        else:
            pending = RuntimeError("generator didn't stop")
    if pending is not None:
        raise pending


AsyncMemberHook = tuple[int, MemberHook, bool]


def _async_hook(hooks: tuple[AsyncMemberHook, ...]) -> Callable[..., AsyncGenerator[None, None]]:
    async def run(self: Composed, *args: Any) -> AsyncGenerator[None, None]:
        members = self.members
        entered: list[tuple[Any, bool]] = []
        try:
            for index, hook, is_async in hooks:
                running: Any = hook(members[index], *args)
                if is_async:
                    await running.__anext__()
                else:
                    next(running)
                entered.append((running, is_async))
        except BaseException:
            for running, is_async in entered:
                await running.aclose() if is_async else running.close()
            raise
        try:
            yield
        except BaseException as failed:
            await _finish_async(entered, failed)
            return
        await _finish_async(entered, None)

    return run


async def _finish_async(entered: list[tuple[Any, bool]], failed: BaseException | None) -> None:
    """``_finish`` for a step some of whose hooks are async generators."""
    pending = failed
    for running, is_async in reversed(entered):
        try:
            if not is_async and pending is None:
                next(running)
            elif not is_async:
                running.throw(pending)
            elif pending is None:
                await running.__anext__()
            else:
                await running.athrow(pending)
        except (StopIteration, StopAsyncIteration):
            pending = None
        except BaseException as raised:
            pending = raised
        else:
            pending = RuntimeError("generator didn't stop")
    if pending is not None:
        raise pending
