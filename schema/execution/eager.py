"""Resolvers run eagerly up to their first real wait, so a value already there costs no task.

A resolver's coroutine is stepped once by hand: if it finishes, its value is used
at once; if it waits, the rest of it becomes a ``Waiting`` the plan awaits later.
What a nulled subtree started but will never await is closed here too.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Awaitable, Iterable
from typing import Any

from schema.execution.adapter import (
    coroutine_arguments,
    future_released,
    generator_arguments,
    reclaim_future,
    release_future,
)


class Waiting:
    """A completed value that is not complete yet: a non-null part of it still waits."""

    __slots__ = ("awaitable", "future")

    def __init__(self, awaitable: Awaitable[Any], future: Any = None) -> None:
        self.awaitable = awaitable
        self.future = future
        """What the resolver run eagerly first waits for, if that is what is awaited."""


@types.coroutine
def resume(coroutine: Any, yielded: Any) -> Any:
    """Continue a coroutine that was run eagerly up to its first wait (``yielded``).

    An asyncio future refuses a second awaiter while the first has not handed it
    to a task (its "being awaited" mark); ``eager`` takes the mark off as a task
    would, so that other fields may await the same future (a dataloader's futures
    are shared). Here it is put back before the future goes to the task running
    this, or, if the future is already done, the coroutine simply goes on.
    """
    if future_released(yielded):
        if yielded.done():
            try:
                yielded = coroutine.send(None)
            except StopIteration as stop:
                return stop.value
        else:
            reclaim_future(yielded)
    while True:
        try:
            sent = yield yielded
        except GeneratorExit:
            coroutine.close()
            raise
        except BaseException as exc:
            try:
                yielded = coroutine.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                yielded = coroutine.send(sent)
            except StopIteration as stop:
                return stop.value


def eager(value: Any) -> Any:
    """A resolver's coroutine run now: its value if it needs no wait, else a ``Waiting``.

    Exceptions the coroutine raises before its first wait propagate as the resolver's.
    """
    if type(value) is types.CoroutineType:
        try:
            yielded = value.send(None)
        except StopIteration as stop:
            return stop.value
        release_future(yielded)  # taken, as a task takes it (see resume)
        return Waiting(resume(value, yielded), yielded)
    if hasattr(value, "__await__"):
        return Waiting(value)
    return value


def close_unstarted(awaitables: Iterable[Any]) -> None:
    """Close what will never run (its subtree was nulled), and what it would have awaited.

    A lookup it was given (a loader's future) is left to whoever else shares it,
    but its answer is read when it comes, so a failure nobody waits for any more
    is not logged as "Future exception was never retrieved".
    """
    for awaitable in awaitables:
        kind = type(awaitable)
        if kind is tuple or kind is list:
            close_unstarted(awaitable)
            continue
        if kind is Waiting:
            awaitable = awaitable.awaitable
            kind = type(awaitable)
        if kind is types.CoroutineType:
            close_unstarted(coroutine_arguments(awaitable))  # the waits it was given
            awaitable.close()
        elif kind is types.GeneratorType:  # ``resume`` of a resolver run eagerly
            close_unstarted(generator_arguments(awaitable))
            awaitable.close()
        elif isinstance(awaitable, asyncio.Future):
            if awaitable.done():
                _read(awaitable)
            else:
                awaitable.add_done_callback(_read)


def _read(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def close_arguments(awaitables: Iterable[Any]) -> None:
    """For tasks about to be cancelled before they begin: close what they were given.

    The task itself ends its own coroutine (cancelled at its first step); the
    waits passed to that coroutine would otherwise never be awaited.
    """
    for awaitable in awaitables:
        if type(awaitable) is types.CoroutineType:
            close_unstarted(coroutine_arguments(awaitable))
        elif type(awaitable) is types.GeneratorType:
            close_unstarted(generator_arguments(awaitable))
