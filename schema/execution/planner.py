"""The compiler: an operation worked out once into direct calls and completions.

graphql-core executes every operation generically: for each field it collects
the selection, builds resolve info, goes through Strawberry's resolver wrapper
(argument conversion, ``Info``), completes the value by its type, and gives
every awaitable field a task of its own. For an operation seen before all of
that is known in advance; ``compile_operation`` works it out once, and the plan
(``runner.CompiledOperation``) then only calls resolvers and builds the answer.

What is not compiled raises ``NotCompilable`` (with a reason code) and runs
generically: introspection, interfaces and unions, ``@defer``/``@stream`` and
other directives, ``@skip``/``@include`` driven by variables, fields with field
extensions or permissions, mutations and subscriptions, and any schema whose
extensions wrap resolvers (``resolve`` hooks must see every field).
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection, Iterable, Sequence
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    located_error,
)
from graphql.type.definition import is_leaf_type

from schema.execution.adapter import (
    DEFINITION,
    StrawberryField,
    VariableValues,
    get_variable_values,
    graphql_schema,
    has_exception_handlers,
    is_strawberry_isoformat,
    wraps_resolvers,
)
from schema.execution.budget import charge_list
from schema.execution.eager import Waiting
from schema.execution.fallback import NotCompilable
from schema.execution.fields import compile_field, named_type
from schema.execution.leaves import (
    ISO_FORMAT,
    READY,
    Fast,
    FastStep,
    careful_unless_fast,
    constant,
    fast_list,
    fast_non_null,
    fast_object,
    leaf_completer,
    leaf_value,
)
from schema.execution.runner import (
    CompiledOperation,
    Complete,
    ResponsePath,
    RootField,
    Run,
    abandon,
    fill,
    path_list,
    store,
)
from schema.execution.selections import Selections


class Compiler:
    """Compiles one operation of one validated document against a Strawberry schema."""

    def __init__(
        self,
        schema: strawberry.Schema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
    ) -> None:
        self.strawberry_schema = schema
        self.schema: GraphQLSchema = graphql_schema(schema)
        self.document = document
        self.operation = operation
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.selections = Selections(self.schema, self.fragments)
        no_variables = get_variable_values(self.schema, (), {})
        assert isinstance(no_variables, VariableValues)
        self.no_variables = no_variables

    def collect(
        self, object_type: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        return self.selections.collect(object_type, selection_sets)

    def waits_in_core(self, parent_type: GraphQLObjectType, nodes: list[FieldNode]) -> bool:
        """Whether graphql-core's value for this field is awaitable: an async resolver, or
        an object (or list of them) selecting one. Decides where it adds a loop turn."""
        field_def = parent_type.fields.get(nodes[0].name.value)
        if field_def is None:
            return False  # __typename
        definition = (field_def.extensions or {}).get(DEFINITION)
        if isinstance(definition, StrawberryField) and definition.is_async:
            return True
        return self.value_waits_in_core(field_def.type, nodes)

    def value_waits_in_core(self, value_type: GraphQLOutputType, nodes: list[FieldNode]) -> bool:
        """Whether graphql-core's completion of a value of this type is awaitable."""
        named = named_type(value_type)
        if not isinstance(named, GraphQLObjectType):
            return False
        grouped = self.collect(named, [n.selection_set for n in nodes if n.selection_set])
        return any(self.waits_in_core(named, found) for found in grouped.values())

    def completer(
        self, return_type: GraphQLOutputType, nodes: list[FieldNode], label: str
    ) -> Complete:
        """How to complete a value of ``return_type`` for the field ``label`` (Type.field)."""
        if not is_leaf_type(named_type(return_type)):
            non_null = isinstance(return_type, GraphQLNonNull)
            listed = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
            if isinstance(listed, GraphQLList):  # its items' fast way: long values go in slices
                item = self.fast_completer(listed.of_type, nodes)
                if item is None:
                    return self._careful(return_type, nodes, label)
                items = self._fast_items(listed, nodes)
                if items is None:
                    return self._careful(return_type, nodes, label)
                whole = fast_non_null(items) if non_null else items
                careful = self._careful(return_type, nodes, label)
                return careful_unless_fast(whole, careful, item)
            fast = self.fast_completer(return_type, nodes)
            if fast is not None:
                return careful_unless_fast(fast, self._careful(return_type, nodes, label))
        return self._careful(return_type, nodes, label)

    def _careful(
        self, return_type: GraphQLOutputType, nodes: list[FieldNode], label: str
    ) -> Complete:
        if isinstance(return_type, GraphQLNonNull):
            return self._non_null(self.completer(return_type.of_type, nodes, label), label)
        if is_leaf_type(return_type):
            return leaf_completer(return_type)
        if isinstance(return_type, GraphQLList):
            return self._list(return_type, nodes, label)
        if isinstance(return_type, GraphQLObjectType):
            return self.object_completer(
                return_type, [n.selection_set for n in nodes if n.selection_set]
            )
        raise NotCompilable("abstract_type", f"{label} returns the abstract type {return_type}")

    def fast_completer(self, return_type: GraphQLOutputType, nodes: list[FieldNode]) -> Fast | None:
        """The fast completion of ``return_type`` if all it selects is plain data, else None."""
        if isinstance(return_type, GraphQLNonNull):
            inner = self.fast_completer(return_type.of_type, nodes)
            return fast_non_null(inner) if inner is not None else None
        if is_leaf_type(return_type):
            return leaf_value(return_type)
        if isinstance(return_type, GraphQLList):
            return self._fast_items(return_type, nodes)
        if not isinstance(return_type, GraphQLObjectType):
            return None
        grouped = self.collect(return_type, [n.selection_set for n in nodes if n.selection_set])
        steps: list[FastStep] = []
        for key, found in grouped.items():
            name = found[0].name.value
            if name == "__typename":
                steps.append(FastStep(key, "__class__", constant(return_type.name), False, None))
                continue
            field_def = return_type.fields.get(name)
            definition = (field_def.extensions or {}).get(DEFINITION) if field_def else None
            if (
                field_def is None
                or not isinstance(definition, StrawberryField)
                or not definition.is_basic_field
                or self.strawberry_schema.config.default_resolver is not getattr
            ):
                return None
            field_type = field_def.type
            non_null = isinstance(field_type, GraphQLNonNull)
            inner = field_type.of_type if non_null else field_type
            child = self.fast_completer(inner, found)
            if child is None:
                return None
            ready = _ready_test(inner)
            steps.append(FastStep(key, definition.python_name, child, non_null, ready))
        return fast_object(steps)

    def _fast_items(self, list_type: GraphQLList[Any], nodes: list[FieldNode]) -> Fast | None:
        """A list's fast completion; non-null items checked once per list, not one call each."""
        item_type = list_type.of_type
        if isinstance(item_type, GraphQLNonNull):
            item = self.fast_completer(item_type.of_type, nodes)
            return fast_list(item, non_null_items=True) if item is not None else None
        item = self.fast_completer(item_type, nodes)
        return fast_list(item) if item is not None else None

    @staticmethod
    def _non_null(inner: Complete, label: str) -> Complete:
        message = f"Cannot return null for non-nullable field {label}."

        def non_null(run: Run, value: Any, path: ResponsePath) -> Any:
            completed = inner(run, value, path)
            if completed is None:
                raise TypeError(message)
            return completed

        return non_null

    def _list(self, list_type: GraphQLList[Any], nodes: list[FieldNode], label: str) -> Complete:
        item_type = list_type.of_type
        item_nullable = not isinstance(item_type, GraphQLNonNull)
        item = self.completer(item_type, nodes, label)
        items_wait = self.value_waits_in_core(item_type, nodes)
        not_iterable = f"Expected Iterable, but did not find one for field '{label}'."

        def complete_list(run: Run, value: Any, path: ResponsePath) -> Any:
            if value is None:
                return None
            if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
                raise GraphQLError(not_iterable)
            charge_list(value)  # the request's budget of list items (schema/execution/budget.py)
            completed: list[Any] = []
            waiting: list[tuple[int, Awaitable[Any]]] = []
            mark = len(run.pending)
            # graphql-core starts two or more items that wait as tasks, a turn later
            # (a null item does not wait).
            later = items_wait and _two_or_more_items(value)
            if later:
                run.turns += 1
            try:
                for index, entry in enumerate(value):
                    item_path = (path, index)
                    try:
                        done = item(run, entry, item_path)
                    except Exception as raw:
                        error = located_error(raw, nodes, path_list(item_path))
                        if not item_nullable:
                            abandon(run, waiting, mark)
                            raise error from None
                        run.add_error(error, item_path)
                        done = None
                    if type(done) is Waiting:
                        waiting.append(
                            (index, self._settled(run, done, nodes, item_path, item_nullable))
                        )
                        done = None
                    completed.append(done)
            finally:
                if later:
                    run.turns -= 1
            if not waiting:
                return completed
            return Waiting(fill(run, completed, waiting))

        return complete_list

    @staticmethod
    async def _settled(
        run: Run, waiting: Waiting, nodes: list[FieldNode], path: ResponsePath, nullable: bool
    ) -> Any:
        """A waiting value's end: its value, or (nullable) None with the error recorded."""
        try:
            return await waiting.awaitable
        except Exception as raw:
            error = located_error(raw, nodes, path_list(path))
            if not nullable:
                raise error from None
            run.add_error(error, path)
            return None

    def object_completer(
        self,
        object_type: GraphQLObjectType,
        selection_sets: list[SelectionSetNode],
    ) -> Complete:
        grouped = self.collect(object_type, selection_sets)
        fields = tuple(
            compile_field(self, object_type, key, found) for key, found in grouped.items()
        )

        # graphql-core runs the fields that wait as tasks, a turn later, when two or more do.
        waits = [self.waits_in_core(object_type, found) for found in grouped.values()]
        later = tuple(w and sum(waits) > 1 for w in waits)
        # A nullable field with an async resolver that graphql-core starts in a later turn
        # is started then, not run now: its lookups go out in that turn, as there.
        startable = tuple(
            field.nullable and _is_async(object_type, found[0].name.value)
            for field, found in zip(fields, grouped.values(), strict=True)
        )

        def complete_object(run: Run, source: Any, path: ResponsePath) -> Any:
            if source is None:
                return None
            result: dict[str, Any] = {}
            waiting: list[tuple[str, Awaitable[Any]]] = []
            mark = len(run.pending)
            for field, turn, lazy in zip(fields, later, startable, strict=True):
                if lazy and (turn or run.turns):
                    run.start_later(result, field, source, path, run.turns + turn)
                    result[field.key] = None
                    continue
                run.turns += turn
                try:
                    value = field.execute(run, source, path)
                except Exception as raw:
                    field_path = (path, field.key)
                    error = located_error(raw, field.nodes, path_list(field_path))
                    if not field.nullable:
                        run.turns -= turn
                        abandon(run, waiting, mark)
                        raise error from None
                    run.add_error(error, field_path)
                    value = None
                run.turns -= turn
                if type(value) is Waiting:
                    field_path = (path, field.key)
                    settled = self._settled(run, value, field.nodes, field_path, field.nullable)
                    if field.nullable:
                        run.pending.append(store(result, field.key, settled))
                    else:
                        waiting.append((field.key, settled))
                    value = None
                result[field.key] = value
            if not waiting:
                return result
            return Waiting(fill(run, result, waiting))

        return complete_object


def _ready_test(field_type: GraphQLOutputType) -> str | None:
    """How generated code tells a leaf's value is ready for JSON (``leaves.FastStep.ready``)."""
    if not is_leaf_type(field_type):
        return None
    coerce = getattr(field_type, "coerce_output_value", None)
    if coerce is not None and is_strawberry_isoformat(coerce):
        return ISO_FORMAT
    return READY.get(getattr(field_type, "name", ""))


def _two_or_more_items(value: Any) -> bool:
    """Whether two or more entries of a list are not null (each of them then waits)."""
    if not isinstance(value, Collection):
        return True
    if len(value) < 2:
        return False
    count = 0
    for entry in value:
        if entry is not None:
            count += 1
            if count > 1:
                return True
    return False


def _is_async(parent_type: GraphQLObjectType, name: str) -> bool:
    """Whether the field's resolver is a coroutine function (graphql-core awaits it later)."""
    field_def = parent_type.fields.get(name)
    definition = (field_def.extensions or {}).get(DEFINITION) if field_def else None
    return isinstance(definition, StrawberryField) and definition.is_async


def compile_operation(
    schema: strawberry.Schema, document: DocumentNode, operation_name: str | None = None
) -> CompiledOperation:
    """The document's query operation compiled; ``NotCompilable`` says why it can't be.

    The document must have passed validation against ``schema``.
    """
    if wraps_resolvers(schema):
        raise NotCompilable("resolver_extension", "a schema extension wraps every resolver")
    if has_exception_handlers(schema):
        raise NotCompilable("exception_handler", "the schema has exception handlers")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise NotCompilable(
                "several_operations", "the document has several operations and none was named"
            )
        operation = operations[0]
    else:
        named = [o for o in operations if o.name and o.name.value == operation_name]
        if not named:
            raise NotCompilable("unknown_operation", f"no operation named {operation_name}")
        operation = named[0]
    if operation.operation is OperationType.MUTATION:
        raise NotCompilable("mutation", "a mutation")
    if operation.operation is OperationType.SUBSCRIPTION:
        raise NotCompilable("subscription", "a subscription")
    if operation.directives:
        raise NotCompilable("directive", "directives on the operation")
    compiler = Compiler(schema, document, operation)
    root_type = compiler.schema.query_type
    assert root_type is not None
    grouped = compiler.collect(root_type, [operation.selection_set])
    root_fields = []
    for key, nodes in grouped.items():
        field = compile_field(compiler, root_type, key, nodes)
        deferred = _is_async(root_type, nodes[0].name.value)
        root_fields.append(RootField(key, nodes, field.nullable, field.execute, deferred))
    return CompiledOperation(compiler.schema, operation, root_fields)
