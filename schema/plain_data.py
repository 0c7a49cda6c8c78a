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

from collections.abc import Sequence
from typing import Any

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.execution.executor import Executor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

DEFINITION = "strawberry-definition"

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


def _null_item(non_null: bool) -> None:
    if non_null:
        raise _Fallback
    return None


def _streamed(field_details_list: Any) -> bool:
    return any(
        directive.name.value == "stream"
        for details in field_details_list
        for directive in details.node.directives or ()
    )


def plain_data_executor(plans: PlainPlan) -> type[Executor[Any]]:
    """An executor class that completes the types in ``plans`` directly."""

    class PlainDataExecutionContext(StrawberryGraphQLCoreExecutionContext):
        def complete_object_value(  # type: ignore[override]
            self,
            return_type: GraphQLObjectType,
            field_details_list: Any,
            info: Any,
            path: Any,
            result: Any,
            position_context: Any,
        ) -> Any:
            plan = plans.get(return_type.name)
            manager = self.middleware_manager
            if plan is not None and (manager is None or not manager.middlewares):
                try:
                    return self._complete_plain(return_type, plan, field_details_list, result)
                except _Fallback:
                    pass
            return super().complete_object_value(
                return_type, field_details_list, info, path, result, position_context
            )

        def complete_list_value(  # type: ignore[override]
            self,
            return_type: GraphQLList[Any],
            field_details_list: Any,
            info: Any,
            path: Any,
            result: Any,
            position_context: Any,
        ) -> Any:
            """A list of plain objects in one loop, not one generic completion per item."""
            item_type = return_type.of_type
            non_null = isinstance(item_type, GraphQLNonNull)
            inner = item_type.of_type if non_null else item_type
            plan = plans.get(inner.name) if isinstance(inner, GraphQLObjectType) else None
            manager = self.middleware_manager
            if (
                plan is not None
                and isinstance(result, Sequence)
                and not isinstance(result, str)
                and (manager is None or not manager.middlewares)
                and not _streamed(field_details_list)
            ):
                try:
                    return [
                        self._complete_plain(inner, plan, field_details_list, item)
                        if item is not None
                        else _null_item(non_null)
                        for item in result
                    ]
                except _Fallback:
                    pass
            return super().complete_list_value(
                return_type, field_details_list, info, path, result, position_context
            )

        def _complete_plain(
            self,
            object_type: GraphQLObjectType,
            plan: dict[str, str],
            field_details_list: Any,
            source: Any,
        ) -> dict[str, Any]:
            grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
            if new_defer_usages:
                raise _Fallback
            completed: dict[str, Any] = {}
            for response_key, details in grouped.items():
                field_name = details[0].node.name.value
                if field_name == "__typename":
                    completed[response_key] = object_type.name
                    continue
                attribute = plan.get(field_name)
                if attribute is None:
                    raise _Fallback
                field_type = object_type.fields[field_name].type
                value = getattr(source, attribute, None)
                completed[response_key] = self._complete_plain_value(field_type, details, value)
            return completed

        def _complete_plain_value(self, field_type: Any, details: Any, value: Any) -> Any:
            if isinstance(field_type, GraphQLNonNull):
                if value is None:
                    raise _Fallback
                field_type = field_type.of_type
            if value is None:
                return None
            if is_leaf_type(field_type):
                coerced = field_type.coerce_output_value(value)
                if coerced is None:
                    raise _Fallback
                return coerced
            if isinstance(field_type, GraphQLList):
                item_type = field_type.of_type
                return [self._complete_plain_value(item_type, details, item) for item in value]
            if isinstance(field_type, GraphQLObjectType):
                nested = plans.get(field_type.name)
                if nested is None:
                    raise _Fallback
                return self._complete_plain(field_type, nested, details, value)
            raise _Fallback

    return PlainDataExecutionContext
