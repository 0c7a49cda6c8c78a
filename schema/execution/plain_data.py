"""Completes plain-data objects (orders, lines, invoices, ...) without per-field dispatch.

graphql-core executes every field of every object through the generic
machinery (resolve info, resolver wrapper, completion), which dominates the
cost of large lists: 10,000 orders are ~100,000 field executions. A type whose
fields are all plain attributes (Strawberry "basic" fields: no resolver, no
field extension) needs none of that: its selected fields are read with
``getattr`` and leaves coerced exactly as graphql-core coerces them.

Any surprise (a null in a non-null field, a value that does not coerce, @defer,
resolver middleware) falls back to graphql-core for that object, so errors are
reported exactly as before.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence, Sized
from functools import cached_property
from typing import Any

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)

from schema.execution.adapter import DEFINITION, StrawberryGraphQLCoreExecutionContext
from schema.execution.budget import (
    CHECK_EVERY,
    RUNNING,
    CompletionBudget,
    CompletionStopped,
    complete_long,
)
from schema.execution.leaves import constant, leaf_value

# type name -> field name -> python attribute name
PlainPlan = dict[str, dict[str, str]]


class _Fallback(Exception):
    """The fast path met something only the generic executor reports correctly."""


def plain_types(schema: GraphQLSchema) -> PlainPlan:
    """Object types whose every field is a plain attribute, with each field's attribute name."""
    plans: PlainPlan = {}
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        if graphql_type.is_type_of is not None or name in _root_names(schema):
            continue
        attributes: dict[str, str] = {}
        for field_name, field in graphql_type.fields.items():
            definition = (field.extensions or {}).get(DEFINITION)
            if definition is None or not definition.is_basic_field or field.args:
                break
            attributes[field_name] = definition.python_name
        else:
            plans[name] = attributes
    return plans


def _root_names(schema: GraphQLSchema) -> set[str]:
    roots = (schema.query_type, schema.mutation_type, schema.subscription_type)
    return {root.name for root in roots if root is not None}


Complete = Callable[[Any], Any]


def _null_item(non_null: bool) -> Any:
    if non_null:
        raise _Fallback
    return None


def _streamed(field_details_list: Any) -> bool:
    return any(
        directive.name.value == "stream"
        for details in field_details_list
        for directive in details.node.directives or ()
    )


_PLANS: weakref.WeakKeyDictionary[GraphQLSchema, PlainPlan] = weakref.WeakKeyDictionary()


def plans_for(schema: GraphQLSchema) -> PlainPlan:
    """``plain_types`` of ``schema``, worked out once per schema."""
    plans = _PLANS.get(schema)
    if plans is None:
        plans = _PLANS[schema] = plain_types(schema)
    return plans


class PlainDataExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, completing plain-data types of its schema directly.

    The plain types come from the executor's own ``self.schema`` (graphql-core's),
    so the class serves any Strawberry schema.
    """

    @cached_property
    def _plain_plans(self) -> PlainPlan:
        return plans_for(self.schema)

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plain_plans.get(return_type.name)
        if plan is not None and self._without_middleware():
            try:
                return self._complete_plain(return_type, plan, field_details_list, result)
            except CompletionStopped:
                raise  # the request's budget is spent: no generic retry
            except Exception:  # anything unusual: the generic executor words it
                pass
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def complete_list_value(
        self,
        return_type: GraphQLList[Any],
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        """A list of plain objects in one loop, not one generic completion per item.

        Every list is charged to the request's budget (``schema.execution.budget``)
        before its items are completed, as the engine charges its lists.
        """
        budget = RUNNING.get()
        item_type = return_type.of_type
        non_null = isinstance(item_type, GraphQLNonNull)
        inner = item_type.of_type if non_null else item_type
        plan = self._plain_plans.get(inner.name) if isinstance(inner, GraphQLObjectType) else None
        if (
            plan is not None
            and isinstance(result, Sequence)
            and not isinstance(result, str)
            and self._without_middleware()
            and not _streamed(field_details_list)
        ):
            try:
                return self._plain_list(budget, inner, plan, field_details_list, result, non_null)
            except CompletionStopped:
                raise  # the request's budget is spent: no generic retry
            except Exception:  # anything unusual: the generic executor words it (charged once)
                pass
        elif budget is not None and isinstance(result, Sized):
            budget.charge(len(result))
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plain_list(
        self,
        budget: CompletionBudget | None,
        object_type: GraphQLObjectType,
        plan: dict[str, str],
        field_details_list: Any,
        result: Sequence[Any],
        non_null: bool,
    ) -> list[Any]:
        if budget is not None:
            if len(result) > CHECK_EVERY:

                def one(item: Any) -> Any:
                    if item is None:
                        return _null_item(non_null)
                    return self._complete_plain(object_type, plan, field_details_list, item)

                return complete_long(budget, result, one)
            budget.charge(len(result))
        return [
            self._complete_plain(object_type, plan, field_details_list, item)
            if item is not None
            else _null_item(non_null)
            for item in result
        ]

    def _without_middleware(self) -> bool:
        """Resolver middleware (schema extensions with ``resolve``) must see every field."""
        manager = self.middleware_manager
        return manager is None or not manager.middlewares

    def _complete_plain(
        self,
        object_type: GraphQLObjectType,
        plan: dict[str, str],
        field_details_list: Any,
        source: Any,
    ) -> dict[str, Any]:
        steps = self._selection_steps(object_type, plan, field_details_list)
        return {key: complete(getattr(source, attribute)) for key, attribute, complete in steps}

    def _selection_steps(
        self, object_type: GraphQLObjectType, plan: dict[str, str], field_details_list: Any
    ) -> list[tuple[str, str, Complete]]:
        """How to complete one selection of a plain type, built once per request.

        graphql-core hands every item of a list the same field-details object,
        so 10,000 orders share one entry here (keyed like ``collect_subfields``).
        """
        cache: dict[tuple[str, int], tuple[Any, list[tuple[str, str, Complete]]]]
        cache = self.__dict__.setdefault("_plain_steps", {})
        key = (object_type.name, id(field_details_list))
        cached = cache.get(key)
        if cached is not None:
            return cached[1]
        grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            raise _Fallback
        steps: list[tuple[str, str, Complete]] = []
        for response_key, details in grouped.items():
            field_name = details[0].node.name.value
            if field_name == "__typename":
                steps.append((response_key, "__class__", constant(object_type.name)))
                continue
            attribute = plan.get(field_name)
            if attribute is None or _streamed(details):
                raise _Fallback
            field_type = object_type.fields[field_name].type
            steps.append((response_key, attribute, self._completer(field_type, details)))
        cache[key] = (field_details_list, steps)
        return steps

    def _completer(self, field_type: Any, details: Any) -> Complete:
        """A function completing one value of ``field_type`` like graphql-core would."""
        if isinstance(field_type, GraphQLNonNull):
            inner = self._completer(field_type.of_type, details)

            def non_null(value: Any) -> Any:
                if value is None:
                    raise _Fallback  # graphql-core words and locates this error
                return inner(value)

            return non_null
        if is_leaf_type(field_type):
            return leaf_value(field_type)
        if isinstance(field_type, GraphQLList):
            item = self._completer(field_type.of_type, details)

            def listed(value: Any) -> Any:
                if value is None:
                    return None
                if isinstance(value, str) or not isinstance(value, Sequence):
                    raise _Fallback
                budget = RUNNING.get()
                if budget is not None:
                    if len(value) > CHECK_EVERY:
                        return complete_long(budget, value, item)
                    budget.charge(len(value))
                return [item(entry) for entry in value]

            return listed
        nested = (
            self._plain_plans.get(field_type.name)
            if isinstance(field_type, GraphQLObjectType)
            else None
        )
        if nested is None:
            raise _Fallback
        steps = self._selection_steps(field_type, nested, details)

        def plain_object(value: Any) -> Any:
            if value is None:
                return None
            return {key: complete(getattr(value, attr)) for key, attr, complete in steps}

        return plain_object
