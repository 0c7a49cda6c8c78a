"""graphql-core's executor with every list charged to the request's completion budget.

``C360_COMPILED=false`` runs operations through graphql-core's executor alone:
no plans, no plain-data completion. Its completion must be bounded all the same
(``schema.execution.budget``): this executor class changes nothing of what
graphql-core does but charge each list to the request's ``CompletionBudget``
before its items are completed, as the engine and ``PlainDataExecutionContext``
charge theirs. A list longer than ``CHECK_EVERY`` is handed to graphql-core as
an iterator over it that charges one slice at a time, so one huge list also
stops at the deadline. The stop (``CompletionStopped``) is raised from inside
the list's completion; graphql-core locates it at the list's field, and demand
control answers it as the one error (``gateway.demand_control.answer_stopped``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence, Sized
from typing import Any

from graphql import GraphQLList

from schema.execution.adapter import StrawberryGraphQLCoreExecutionContext
from schema.execution.budget import CHECK_EVERY, RUNNING, CompletionBudget


class BoundedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's graphql-core executor, each list charged to the running budget."""

    def complete_list_value(
        self,
        return_type: GraphQLList[Any],
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        budget = RUNNING.get()
        if budget is not None and isinstance(result, Sized) and not isinstance(result, str):
            if len(result) > CHECK_EVERY and isinstance(result, Sequence):
                budget.note_length(len(result))
                result = _charged_in_slices(budget, result)
            else:
                budget.charge(len(result))
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )


def _charged_in_slices(budget: CompletionBudget, items: Sequence[Any]) -> Iterator[Any]:
    """``items`` in order, each slice of ``CHECK_EVERY`` charged before it is handed out."""
    for start in range(0, len(items), CHECK_EVERY):
        part = items[start : start + CHECK_EVERY]
        budget.charge(len(part))
        yield from part
