"""Demand control: what an operation will cost, worked out from its text before anything runs.

Every limit a request passes one at a time (depth, aliases, tokens, body) still
lets their *product* through: 50 aliases of ``customers(ids: $ids)`` with 1,000
ids and a wide selection asks for millions of objects. ``DemandControl`` adds
up, before execution, one point per field of the answer, multiplied through
lists (the length of ``ids``, a ``limit``, else a configured estimate per list
field), nesting, aliases and fragments, plus ``SOURCE_CALL_COST`` for every
source read a field's resolver makes (its ``reads`` metadata; one for any other
resolver that waits). Over ``C360_MAX_COST`` the request is refused with 400
``COST_LIMIT`` naming the cost and the limit; a list argument or variable over
``max_list_items`` (1,000 ids) is refused as ``BAD_USER_INPUT`` before
graphql-core coerces it. A client that
sends the request extension ``{"cost": true}`` gets ``extensions.cost`` with the
estimate, the limit and the actual cost of the answer it got.

The walk is linear in the document: a fragment's cost per instance is worked out
once and multiplied where it is spread (cost is linear in the multiplier).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
)
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import SchemaExtension

from gateway.answer_encoding import LONGEST_LIST
from gateway.document_cache import MAX_CACHED_TEXT
from schema.execution.budget import CompletionBudget, CompletionStopped, running
from schema.look_ahead import READS

COST_LIMIT = "COST_LIMIT"
SOURCE_CALL_COST = 10
"""What one source read costs on top of the field itself (a call out, its parsing, mapping)."""

DEFAULT_LIST_SIZE = 10
"""The size assumed for a list field with no size argument and no configured estimate."""

DEFAULT_LIST_SIZES: Mapping[str, int] = {
    "Customer.orders": 20,
    "Customer.invoices": 20,
    "Customer.tickets": 10,
    "Customer.webVisits": 20,
    "Customer.socialMentions": 10,
    "Customer.identities": 3,
    "Order.lines": 3,
    "Health.reasons": 3,
}
"""Estimates per list field of the demo world (``C360_COST_LIST_SIZES`` overrides them)."""

DEFAULT_MAX_ANSWER_ITEMS = 200_000
"""List items one answer may hold (``C360_MAX_ANSWER_ITEMS``): the 11,985-orders answer
holds about 50,000; 50 aliases of 1,000 customers with their orders hold millions."""

SIZE_ARGUMENTS = ("ids", "limit", "first")
"""Arguments that bound a list field's length: a list's length, or an int."""


class CostConfigError(ValueError):
    """A configured list estimate names no list field of the schema."""


@dataclass(slots=True, frozen=True)
class FieldCost:
    """What one field costs per instance of its parent: source reads, and whether it is a list."""

    source_cost: int
    list_estimate: int | None
    """None for a single value; else the length assumed without a size argument."""


class CostError(Exception):
    """A request refused by demand control; ``error`` is what the client is told."""

    def __init__(self, error: GraphQLError) -> None:
        super().__init__(error.message)
        self.error = error


def list_too_long_error(where: str, length: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"{where} holds {length} items; at most {limit} are allowed.",
        extensions={"code": "BAD_USER_INPUT", "items": length, "limit": limit},
    )


def cost_limit_error(cost: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"The operation's estimated cost is {cost}; the limit is {limit}. Ask for fewer "
        "items (ids, limit), fewer fields or fewer aliases, or split the request.",
        extensions={"code": COST_LIMIT, "cost": cost, "limit": limit},
    )


class CostModel:
    """The schema's cost of every field, worked out once; ``estimate`` walks one operation."""

    def __init__(
        self,
        schema: GraphQLSchema,
        list_sizes: Mapping[str, int] | None = None,
        *,
        max_list_items: int = 1_000,
    ) -> None:
        self.schema = schema
        self.max_list_items = max_list_items
        self.list_sizes = {**DEFAULT_LIST_SIZES, **(list_sizes or {})}
        self._fields: dict[tuple[str, str], FieldCost] = {}
        # Costs that no variable changes, by text: bounded by the bytes of the texts kept.
        self._fixed: LRUCache[tuple[str, str | None], tuple[int, int]] = LRUCache(
            maxsize=16_000_000, getsizeof=lambda entry: entry[1]
        )
        unknown = sorted(key for key in list_sizes or {} if not self._is_list_field(key))
        if unknown:
            raise CostConfigError(
                f"C360_COST_LIST_SIZES: {', '.join(unknown)} names no list field "
                "(spell it Type.field, e.g. Customer.orders)"
            )

    def _is_list_field(self, key: str) -> bool:
        type_name, _, field_name = key.partition(".")
        owner = self.schema.get_type(type_name)
        field = owner.fields.get(field_name) if isinstance(owner, GraphQLObjectType) else None
        return field is not None and _is_list(field)

    def field_cost(self, owner: GraphQLObjectType, name: str, field: GraphQLField) -> FieldCost:
        key = (owner.name, name)
        found = self._fields.get(key)
        if found is None:
            definition = (field.extensions or {}).get("strawberry-definition")
            metadata = getattr(definition, "metadata", None) or {}
            reads = len(metadata.get(READS, ()))
            if not reads and getattr(definition, "is_async", False):
                reads = 1  # a resolver that waits without saying what it reads: one call
            estimate = (
                self.list_sizes.get(f"{owner.name}.{name}", DEFAULT_LIST_SIZE)
                if _is_list(field)
                else None
            )
            found = self._fields[key] = FieldCost(SOURCE_CALL_COST * reads, estimate)
        return found

    def check_variables(self, variables: Mapping[str, Any] | None) -> None:
        """Refuses a list variable too long for any argument before graphql-core coerces it."""
        for name, value in (variables or {}).items():
            if isinstance(value, list) and len(value) > self.max_list_items:
                raise CostError(
                    list_too_long_error(f"Variable ${name}", len(value), self.max_list_items)
                )

    def estimate(
        self,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        """The cost of the operation that will run (0 when none can be chosen)."""
        return self.estimate_text(None, document, operation_name, variables)

    def estimate_text(
        self,
        text: str | None,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        """``estimate``, remembered by query text when no variable sets a list's size.

        Texts over ``MAX_CACHED_TEXT`` are walked every time (no attacker-sized keys).
        """
        key = (text, operation_name) if text and len(text) <= MAX_CACHED_TEXT else None
        if key is not None:
            known = self._fixed.get(key)
            if known is not None:
                return known[0]
        operation = _chosen_operation(document, operation_name)
        root = self.schema.get_root_type(operation.operation) if operation else None
        if operation is None or root is None:
            return 0
        walk = _Walk(self, document, variables or {}, operation)
        cost = walk.selection_cost(operation.selection_set, root)
        if key is not None and not walk.read_variables:
            self._fixed[key] = (cost, len(key[0]) + 1)
        return cost

    def actual(
        self,
        document: DocumentNode,
        operation_name: str | None,
        data: Mapping[str, Any] | None,
    ) -> int:
        """The same count over the answer itself: list lengths as they came out."""
        operation = _chosen_operation(document, operation_name)
        root = self.schema.get_root_type(operation.operation) if operation else None
        if operation is None or root is None or data is None:
            return 0
        walk = _Walk(self, document, {}, operation)
        return walk.answer_cost(operation.selection_set, root, data)


def _is_list(field: GraphQLField) -> bool:
    kind = field.type
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


def _chosen_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == operation_name), None)


class _Walk:
    """One operation's walk: its fragments by name, the per-instance cost of each memoized."""

    def __init__(
        self,
        model: CostModel,
        document: DocumentNode,
        variables: Mapping[str, Any],
        operation: OperationDefinitionNode,
    ) -> None:
        self.model = model
        self.variables = variables
        self.defaults = {
            d.variable.name.value: d.default_value for d in operation.variable_definitions or ()
        }
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.fragment_costs: dict[str, int] = {}
        self.entered: set[str] = set()
        self.read_variables = False
        """Whether a size came from a variable (else the cost holds for every request)."""

    def fields(
        self,
        selection_set: SelectionSetNode,
        owner: GraphQLObjectType,
        visited: set[str] | None = None,
    ) -> Iterator[tuple[FieldNode, GraphQLObjectType]]:
        """The field nodes of a selection set with their owning type, as graphql-core collects
        them: each fragment spread once per selection set."""
        visited = set() if visited is None else visited
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, owner
            elif isinstance(selection, InlineFragmentNode):
                condition = self._condition(selection, owner)
                yield from self.fields(selection.selection_set, condition, visited)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in visited:
                    visited.add(fragment.name.value)
                    condition = self._condition(fragment, owner)
                    yield from self.fields(fragment.selection_set, condition, visited)

    def _condition(
        self, fragment: InlineFragmentNode | FragmentDefinitionNode, owner: GraphQLObjectType
    ) -> GraphQLObjectType:
        if fragment.type_condition is None:
            return owner
        named = self.model.schema.get_type(fragment.type_condition.name.value)
        return named if isinstance(named, GraphQLObjectType) else owner

    def selection_cost(
        self,
        selection_set: SelectionSetNode,
        owner: GraphQLObjectType,
        visited: set[str] | None = None,
    ) -> int:
        """The cost of one instance of ``owner`` answering ``selection_set``.

        A fragment spread twice in one selection set runs once (graphql-core
        collects it once), so it counts once; its cost is worked out once per
        operation.
        """
        visited = set() if visited is None else visited
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, owner)
            elif isinstance(selection, InlineFragmentNode):
                condition = self._condition(selection, owner)
                total += self.selection_cost(selection.selection_set, condition, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in visited:
                    visited.add(name)
                    total += self.fragment_cost(name, owner)
        return total

    def fragment_cost(self, name: str, owner: GraphQLObjectType) -> int:
        known = self.fragment_costs.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self.entered:  # unknown or cyclic: validation says so
            return 0
        self.entered.add(name)
        cost = self.selection_cost(fragment.selection_set, self._condition(fragment, owner))
        self.entered.discard(name)
        self.fragment_costs[name] = cost
        return cost

    def field_cost(self, node: FieldNode, owner: GraphQLObjectType) -> int:
        name = node.name.value
        field = _field(owner, name)
        if field is None:  # __typename, or a field validation refused
            return 0
        cost = self.model.field_cost(owner, name, field)
        named = get_named_type(field.type)
        child = 0
        if node.selection_set is not None and isinstance(named, GraphQLObjectType):
            child = self.selection_cost(node.selection_set, named)
        size = 1 if cost.list_estimate is None else self.list_size(node, cost.list_estimate)
        return cost.source_cost + size * (1 + child)

    def list_size(self, node: FieldNode, estimate: int) -> int:
        """The length a list's arguments promise (``ids``' length, ``limit``), else ``estimate``."""
        for argument in node.arguments or ():
            if argument.name.value not in SIZE_ARGUMENTS:
                continue
            value = self.value(argument.value)
            if isinstance(value, list):
                if len(value) > self.model.max_list_items:
                    raise CostError(
                        list_too_long_error(
                            f"Argument '{argument.name.value}' of '{node.name.value}'",
                            len(value),
                            self.model.max_list_items,
                        )
                    )
                return len(value)
            if isinstance(value, int | float) and not isinstance(value, bool):
                # An Int graphql-core will refuse when coercing keeps its error, not ours.
                if -(2**31) <= value < 2**31 and value == int(value):
                    return max(0, int(value))
        return estimate

    def value(self, node: ValueNode | None) -> object:
        """A size argument's value: a literal's length or int, a variable's value as sent."""
        if isinstance(node, VariableNode):
            self.read_variables = True
            name = node.name.value
            if name in self.variables:
                return self.variables[name]
            return self.value(self.defaults.get(name))
        if isinstance(node, ListValueNode):
            return list(node.values)
        if isinstance(node, IntValueNode):
            return int(node.value)
        return None

    def answer_cost(
        self, selection_set: SelectionSetNode, owner: GraphQLObjectType, data: Mapping[str, Any]
    ) -> int:
        """The cost of one object of the answer, counted as ``selection_cost`` counts."""
        total = 0
        for node, field_owner in self.fields(selection_set, owner):
            field = _field(field_owner, node.name.value)
            key = node.alias.value if node.alias else node.name.value
            if field is None or key not in data:
                continue
            cost = self.model.field_cost(field_owner, node.name.value, field)
            named = get_named_type(field.type)
            value = data[key]
            items = value if isinstance(value, list) else [value]
            total += cost.source_cost
            for item in items:
                total += 1
                if isinstance(item, dict) and node.selection_set is not None:
                    if isinstance(named, GraphQLObjectType):
                        total += self.answer_cost(node.selection_set, named, item)
        return total


def _field(owner: GraphQLObjectType, name: str) -> GraphQLField | None:
    if name == "__schema":
        return SchemaMetaFieldDef
    if name == "__type":
        return TypeMetaFieldDef
    field: GraphQLField | None = owner.fields.get(name)
    return field


def completion_budget(context: object, max_items: int, deadline_ms: int) -> CompletionBudget:
    """A request's budget: ``max_items`` list items, until its loaders' deadline if it has one."""
    deadline = getattr(getattr(context, "loaders", None), "deadline", None)
    try:
        clock = asyncio.get_running_loop().time
    except RuntimeError:  # executed synchronously: no loop, no loop-time deadline
        return CompletionBudget(max_items)
    if not isinstance(deadline, float | int):
        return CompletionBudget(max_items)
    return CompletionBudget(max_items, deadline, deadline_ms, clock)


def answer_stopped(result: object, stopped: CompletionStopped) -> None:
    """``result`` becomes ``data: null`` and the one error saying why its completion stopped.

    What was completed before the stop is not an answer (fields nulled without
    an error of their own, the same error once per list reached after it). The
    error keeps the path and locations of the field where the completion stopped.
    """
    if not isinstance(result, ExecutionResult):  # None, or @defer's incremental results
        return
    errors = result.errors or []
    where = next((e for e in errors if isinstance(e.original_error, CompletionStopped)), None)
    error = GraphQLError(
        stopped.message,
        where.nodes if where is not None else None,
        path=where.path if where is not None else None,
        extensions=stopped.extensions,
    )
    result.data = None
    result.errors = [error]


def cost_requested(extensions: Mapping[str, Any] | None) -> bool:
    """The client asked for ``extensions.cost`` with the request extension ``{"cost": true}``."""
    return bool(extensions) and extensions.get("cost") is True  # type: ignore[union-attr]


def demand_control(
    max_cost: int,
    list_sizes: Mapping[str, int] | None = None,
    *,
    max_list_items: int = 1_000,
    max_answer_items: int = DEFAULT_MAX_ANSWER_ITEMS,
    deadline_ms: int = 5_000,
) -> type[SchemaExtension]:
    """The extension class refusing operations that cost over ``max_cost``.

    List it after ``ValidatedDocuments`` and ``RequireOperationName``: a document that
    does not validate keeps its validation errors; a valid one too costly gets
    ``COST_LIMIT`` instead of an execution. The cost model is built once per schema.

    What the estimate lets through is bounded while it runs: the completion of
    the answer is charged to a ``CompletionBudget`` (``max_answer_items`` list
    items, the request's deadline of ``deadline_ms``, read from the context's
    loaders), and a completion it stops is answered as that one error.
    """
    models: dict[int, CostModel] = {}

    def model_of(schema: GraphQLSchema) -> CostModel:
        model = models.get(id(schema))
        if model is None:
            model = models[id(schema)] = CostModel(
                schema, list_sizes, max_list_items=max_list_items
            )
        return model

    class DemandControl(SchemaExtension):
        def __init__(self) -> None:
            self.estimated: int | None = None

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            document = context.graphql_document
            if document is not None and not context.pre_execution_errors:
                model = model_of(context.schema._schema)
                try:
                    model.check_variables(context.variables)
                    self.estimated = model.estimate_text(
                        context.query, document, context.operation_name, context.variables
                    )
                except CostError as refused:
                    context.pre_execution_errors = [refused.error]
                else:
                    if self.estimated > max_cost:
                        # Strawberry answers the errors found by now without executing anything.
                        context.pre_execution_errors = [cost_limit_error(self.estimated, max_cost)]
            yield

        def on_execute(self) -> Iterator[None]:
            budget = completion_budget(
                self.execution_context.context, max_answer_items, deadline_ms
            )
            with running(budget):
                yield
            extra = getattr(self.execution_context.context, "extra", None)
            if isinstance(extra, dict):  # read by the answer's encoding (gateway.answer_encoding)
                extra[LONGEST_LIST] = budget.longest
            if budget.stopped is not None:
                answer_stopped(self.execution_context.result, budget.stopped)

        def get_results(self) -> dict[str, Any]:
            context = self.execution_context
            if self.estimated is None or not cost_requested(context.operation_extensions):
                return {}
            report: dict[str, Any] = {"estimated": self.estimated, "limit": max_cost}
            data = getattr(context.result, "data", None)
            if data is not None and context.graphql_document is not None:
                model = model_of(context.schema._schema)
                report["actual"] = model.actual(
                    context.graphql_document, context.operation_name, data
                )
            return {"cost": report}

    return DemandControl
