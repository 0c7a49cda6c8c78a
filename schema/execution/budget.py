"""What one request's completion may spend: list items in its answer, and time to its deadline.

Sources and loaders stop at the request's deadline, but completing what they
answered is synchronous CPU on the event loop: 50 aliases of a 1,000-customer
list, or one source's 125,780 records, complete for seconds while every other
request waits. ``CompletionBudget`` bounds that work: every list completed
(by the engine or by graphql-core through ``PlainDataExecutionContext``) is
charged its length *before* its items are completed, and every
``CHECK_EVERY`` items the loop clock is read. Past ``max_items`` or past the
deadline, completion stops with ``CompletionStopped``, and the gateway answers
that one error instead of a partial answer.

The budget is found through a context variable the gateway sets per request
(``running``), so the completers, built once per operation and shared by all
requests, need no argument for it. What a list costs is a context-variable
read and a subtraction; items are not counted one by one, except in lists
longer than ``CHECK_EVERY``, completed in slices with a check between them so
that one huge list also stops at the deadline.

Completion does not yield to the loop in the middle of a list: it is
synchronous inside graphql-core and the engine alike, and turning it into
coroutines would cost every item. The item cap and the deadline bound how long
one synchronous stretch can run instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

CHECK_EVERY = 2_000
"""List items completed between two looks at the clock."""

MAX_ANSWER_ITEMS_SETTING = "C360_MAX_ANSWER_ITEMS"
RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"
DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"


class CompletionStopped(Exception):
    """Completion stopped by the request's budget; ``extensions`` carries the error's code.

    Completers re-raise it rather than retrying the careful way, and the gateway
    answers it alone (``data: null``): the answer it would cut short is not one.
    """

    def __init__(self, message: str, extensions: dict[str, Any]) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions

    def again(self) -> CompletionStopped:
        """The same stop, as a new exception: one raised instance would gather every traceback."""
        return CompletionStopped(self.message, self.extensions)


def too_many_items(limit: int) -> CompletionStopped:
    return CompletionStopped(
        f"The answer holds more than {limit} list items; this server completes at most "
        f"{limit} ({MAX_ANSWER_ITEMS_SETTING}). Ask for fewer items or fewer aliases, "
        "or split the request.",
        {"code": RESPONSE_TOO_LARGE, "limit": limit},
    )


def deadline_passed(deadline_ms: int) -> CompletionStopped:
    return CompletionStopped(
        f"The request's deadline of {deadline_ms} ms passed while completing the answer.",
        {"code": DEADLINE_EXCEEDED, "deadlineMs": deadline_ms},
    )


class CompletionBudget:
    """List items one request may still complete before the next look at the clock."""

    __slots__ = (
        "clock",
        "counted",
        "deadline",
        "deadline_ms",
        "left",
        "longest",
        "max_items",
        "stopped",
        "window",
    )

    def __init__(
        self,
        max_items: int,
        deadline: float | None = None,
        deadline_ms: int = 0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.max_items = max_items
        self.deadline = deadline
        """On ``clock``'s scale (the event loop's time); None: no deadline."""
        self.deadline_ms = deadline_ms
        self.clock = clock
        self.counted = 0
        """Items charged up to the last check."""
        self.window = self.left = min(CHECK_EVERY, max_items)
        """Items that may be charged between two checks, and before the next one."""
        self.stopped: CompletionStopped | None = None
        self.longest = 0
        """The most items of any one list charged so far: an answer whose lists were all
        charged holds no list longer than this (what the response's encoding may skip)."""

    def charge(self, items: int) -> None:
        """``items`` more list items to complete; raises ``CompletionStopped`` when over."""
        if items > self.longest:
            self.longest = items
        self.left -= items
        if self.left < 0:
            self.check()

    def check(self) -> None:
        """The items charged since the last check, added up; the clock read."""
        if self.stopped is not None:
            raise self.stopped.again()
        self.counted += self.window - self.left
        if self.counted > self.max_items:
            self.stopped = too_many_items(self.max_items)
        elif self.deadline is not None and self.clock is not None:
            if self.clock() > self.deadline:
                self.stopped = deadline_passed(self.deadline_ms)
        if self.stopped is not None:
            self.left = -1  # every later charge raises at once
            raise self.stopped.again()
        self.window = self.left = min(CHECK_EVERY, self.max_items - self.counted)

    def note_length(self, items: int) -> None:
        """A list of ``items`` to be charged a part at a time (``longest`` sees it whole)."""
        if items > self.longest:
            self.longest = items


RUNNING: ContextVar[CompletionBudget | None] = ContextVar("c360_completion_budget", default=None)
"""The budget of the request whose task (and the tasks it starts) is running."""


@contextmanager
def running(budget: CompletionBudget) -> Iterator[CompletionBudget]:
    """``budget`` is the one charged by completions in this context until the block ends."""
    token = RUNNING.set(budget)
    try:
        yield budget
    finally:
        RUNNING.reset(token)


def charge_list(value: object) -> None:
    """Charge a list's length to the running budget, if any (careful completion paths)."""
    budget = RUNNING.get()
    if budget is not None and isinstance(value, Sized):
        budget.charge(len(value))


def complete_long(
    budget: CompletionBudget, value: Sequence[Any], item: Callable[[Any], Any]
) -> list[Any]:
    """A list longer than ``CHECK_EVERY``, completed in slices, each charged before it is done."""
    completed: list[Any] = []
    budget.note_length(len(value))
    for start in range(0, len(value), CHECK_EVERY):
        part = value[start : start + CHECK_EVERY]
        budget.charge(len(part))
        completed += [item(entry) for entry in part]
    return completed
