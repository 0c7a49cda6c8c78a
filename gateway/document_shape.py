"""Depth, alias and field limits that measure each fragment once, however often it is spread.

Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` follow every
fragment spread anew, so a 3 KB document whose forty fragments each spread the
previous one twice (``fragment F1 on Customer { ...F0 ...F0 }``) is 2^40
selections to them: one such request held the event loop for ever (no other
request answered, SIGINT ignored). They also do their walk in the rule's
constructor, outside graphql-core's guard against deep fragment chains
(``FragmentNestingVisitor``), so a chain of 400 fragments answered "maximum
recursion depth exceeded".

These rules count the same things with the same messages, but memoize each
fragment's depth and alias count for the document being validated, and do
their work while graphql-core visits the document: after its nesting guard, and
inside its ``RecursionError`` handling ("Validation aborted.").

- Depth, as Strawberry counts it: the longest chain of fields that have a
  selection set; fields whose name starts with ``__`` (introspection) count
  nothing and are not looked into (``gateway.introspection_limits`` bounds
  those). An operation deeper than the limit gets one error, located at the
  first selection past the limit.
- Aliases: every aliased field, as often as the operation would select it
  through its fragments, summed over the document's operations.
- Fields (``field_limit_rule``, the gateway's own): every field an operation
  selects with its spreads expanded, which is what anything walking selections
  spread by spread pays.

``Fragments`` is shared with ``gateway.introspection_limits`` (how many
``__schema``/``__type`` fields a document selects).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    ValidationContext,
    VisitorAction,
)
from graphql.language import SKIP

INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


FieldCount = Callable[[FieldNode], tuple[int, bool]]
"""What one field adds to a sum, and whether its own selections are summed too."""


def _aliased(field: FieldNode) -> tuple[int, bool]:
    return int(field.alias is not None), True


def _one_each(_field: FieldNode) -> tuple[int, bool]:
    return 1, True


def _introspection_root(field: FieldNode) -> tuple[int, bool]:
    return (1, False) if field.name.value in INTROSPECTION_ROOTS else (0, True)


class Fragments:
    """Per document: each fragment's depth and counts (aliases, fields, introspection
    fields), each measured once.

    A fragment spread while it is being measured (a cycle, which graphql-core's
    ``NoFragmentCyclesRule`` reports) counts nothing, as it does in Strawberry's
    rules; so does a spread of an unknown fragment.
    """

    def __init__(self, context: ValidationContext) -> None:
        self.context = context
        self.depths: dict[str, int] = {}
        self.aliases: dict[str, int] = {}
        self.introspections: dict[str, int] = {}
        self.fields: dict[str, int] = {}
        self.measuring: set[str] = set()

    def depth(self, selection_set: SelectionSetNode | None) -> int:
        """The most field levels any selection below ``selection_set`` adds."""
        if selection_set is None:
            return 0
        return max((self.selection_depth(s) for s in selection_set.selections), default=0)

    def selection_depth(self, selection: SelectionNode) -> int:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None or selection.name.value.startswith("__"):
                return 0
            return 1 + self.depth(selection.selection_set)
        if isinstance(selection, InlineFragmentNode):
            return self.depth(selection.selection_set)
        if isinstance(selection, FragmentSpreadNode):
            return self._fragment(selection.name.value, self.depths, self.depth)
        return 0  # pragma: no cover - the three kinds above are all GraphQL has

    def alias_count(self, selection_set: SelectionSetNode | None) -> int:
        """Aliased fields selected below ``selection_set``, fragments counted per spread."""
        return self._summed(selection_set, self.aliases, _aliased)

    def field_count(self, selection_set: SelectionSetNode | None) -> int:
        """Fields selected below ``selection_set`` with every fragment spread expanded."""
        return self._summed(selection_set, self.fields, _one_each)

    def introspection_count(self, selection_set: SelectionSetNode | None) -> int:
        """``__schema`` and ``__type`` fields selected below ``selection_set``, fragments
        counted per spread; what they select is not looked into."""
        return self._summed(selection_set, self.introspections, _introspection_root)

    def _summed(
        self, selection_set: SelectionSetNode | None, memo: dict[str, int], own: FieldCount
    ) -> int:
        """The sum of ``own`` over the fields below ``selection_set`` (into a field's own
        selections where ``own`` says so), each fragment summed once into ``memo``."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                count, look_inside = own(selection)
                total += count
                if look_inside:
                    total += self._summed(selection.selection_set, memo, own)
            elif isinstance(selection, InlineFragmentNode):
                total += self._summed(selection.selection_set, memo, own)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(
                    selection.name.value, memo, lambda nested: self._summed(nested, memo, own)
                )
        return total

    def _fragment(
        self, name: str, memo: dict[str, int], measure: Callable[[SelectionSetNode], int]
    ) -> int:
        known = memo.get(name)
        if known is not None:
            return known
        fragment = self.context.get_fragment(name)
        if fragment is None or name in self.measuring:
            return 0
        self.measuring.add(name)
        try:
            memo[name] = measured = measure(fragment.selection_set)
        finally:
            self.measuring.discard(name)
        return measured


class MeasuringRule(ASTValidationRule):
    """A validation rule with the document's ``Fragments`` at hand."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.fragments = Fragments(context)


def depth_limit_rule(max_depth: int) -> type[ASTValidationRule]:
    """A rule refusing operations nested deeper than ``max_depth`` fields (introspection aside)."""

    class OperationDepthRule(MeasuringRule):
        def enter_operation_definition(
            self, node: OperationDefinitionNode, *_args: Any
        ) -> VisitorAction:
            if self.fragments.depth(node.selection_set) > max_depth:
                name = node.name.value if node.name else "anonymous"
                self.report_error(
                    GraphQLError(
                        f"'{name}' exceeds maximum operation depth of {max_depth}",
                        [self._first_too_deep(node)],
                    )
                )
            return SKIP

        def _first_too_deep(self, operation: OperationDefinitionNode) -> Node:
            """The first selection (in document order) that sits deeper than the limit.

            Only selections that reach past the limit are followed, so this walks
            one path, not the fragments' fan-out. Should the path not be found
            (fragment cycles, which another rule reports), the operation is named.
            """
            fragments = self.fragments
            selections = operation.selection_set.selections
            depth = 0  # fields entered: the depth of the selections in hand
            for _step in range(max_depth + len(self.context.document.definitions) * 64 + 2):
                selection = next(
                    (s for s in selections if depth + fragments.selection_depth(s) > max_depth),
                    None,
                )
                if selection is None:
                    break
                if isinstance(selection, FragmentSpreadNode):
                    fragment = self.context.get_fragment(selection.name.value)
                    if fragment is None:
                        break
                    selections = fragment.selection_set.selections
                    continue
                nested: SelectionSetNode | None = selection.selection_set  # type: ignore[attr-defined]
                if nested is None:
                    break
                if isinstance(selection, FieldNode):
                    depth += 1
                    if depth > max_depth:
                        first: Node = nested.selections[0]
                        return first
                selections = nested.selections
            return operation

    return OperationDepthRule


def document_count_rule(
    count: Callable[[Fragments, SelectionSetNode], int],
    refusal: Callable[[int], GraphQLError | None],
) -> type[ASTValidationRule]:
    """A rule summing ``count`` over the document's operations and reporting ``refusal`` of
    the sum, if any, once the document is read."""

    class DocumentCountRule(MeasuringRule):
        count = 0

        def enter_operation_definition(
            self, node: OperationDefinitionNode, *_args: Any
        ) -> VisitorAction:
            self.count += count(self.fragments, node.selection_set)
            return SKIP

        def leave_document(self, *_args: Any) -> None:
            error = refusal(self.count)
            if error is not None:
                self.report_error(error)

    return DocumentCountRule


def alias_limit_rule(max_aliases: int) -> type[ASTValidationRule]:
    """A rule refusing documents that select more than ``max_aliases`` aliased fields."""

    def refusal(count: int) -> GraphQLError | None:
        if count <= max_aliases:
            return None
        return GraphQLError(f"{count} aliases found. Allowed: {max_aliases}")

    return document_count_rule(Fragments.alias_count, refusal)


def field_limit_rule(max_fields: int) -> type[ASTValidationRule]:
    """A rule refusing operations that select more than ``max_fields`` fields once their
    fragment spreads are expanded (each fragment measured once).

    graphql-core's executor merges a fragment spread twice into the same fields, so
    ``fragment F1 { ...F0 ...F0 }`` up to ``F40`` costs it nothing; but whatever
    walks the selections spread by spread (Strawberry's ``info.selected_fields``,
    which look-ahead and resolve info read) walks 2^40 of them. No real operation
    comes near the limit: the saved agent view selects 65, full introspection 220.
    """

    class FieldCountRule(MeasuringRule):
        def enter_operation_definition(
            self, node: OperationDefinitionNode, *_args: Any
        ) -> VisitorAction:
            count = self.fragments.field_count(node.selection_set)
            if count > max_fields:
                name = node.name.value if node.name else "anonymous"
                self.report_error(
                    GraphQLError(
                        f"'{name}' selects {count:,} fields once its fragments are expanded; "
                        f"the limit is {max_fields:,}.",
                        [node],
                        extensions={"code": "TOO_MANY_FIELDS"},
                    )
                )
            return SKIP

    return FieldCountRule
