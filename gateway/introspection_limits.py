"""Bounds on introspection: its depth, which the operation depth limit does not count, and
its width: how many ``__schema``/``__type`` fields one document selects.

``QueryDepthLimiter`` skips every field whose name starts with ``__`` and all
below it, so ``{ __type { fields { type { ofType { ... } } } } }`` nested a
hundred levels passes it. graphql-core's ``MaxIntrospectionDepthRule`` (one of
its default rules) catches nested *lists* (``fields``/``interfaces``/...), not a
long ``ofType`` chain; this rule bounds the plain depth under ``__schema`` and
``__type``, fragments included.

Width: a full introspection (what GraphiQL asks once per page) is about 1.7 MB of
answer per 19 copies and tens of milliseconds of the event loop's time each, and
costs no source call, so demand control's cost lets many through: 19 aliased
``__schema { ...FullIntrospection }`` held the loop for 2.5 s per request.
``introspection_width_rule`` counts ``__schema`` and ``__type`` fields through
aliases and fragments (each fragment measured once) and refuses more than the limit.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
    ValidationContext,
    VisitorAction,
)
from graphql.language import SKIP

from gateway.document_shape import INTROSPECTION_ROOTS, Fragments, document_count_rule


def introspection_depth_rule(max_depth: int) -> type[ASTValidationRule]:
    """A validation rule class refusing introspection nested deeper than ``max_depth`` fields."""

    class IntrospectionDepthRule(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.fragment_depths: dict[str, int] = {}

        def enter_field(self, node: FieldNode, *_args: Any) -> VisitorAction:
            if node.name.value not in INTROSPECTION_ROOTS:
                return None
            depth = 1 + self.selection_depth(node.selection_set, frozenset())
            if depth > max_depth:
                self.report_error(
                    GraphQLError(
                        f"Introspection query is {depth} fields deep; the limit is {max_depth}.",
                        [node],
                        extensions={"code": "INTROSPECTION_TOO_DEEP"},
                    )
                )
            return SKIP

        def selection_depth(
            self, selection_set: SelectionSetNode | None, seen: frozenset[str]
        ) -> int:
            """Deepest chain of fields below ``selection_set``; recursion is bounded by the
            parser, which refuses documents nested more than a few hundred levels."""
            if selection_set is None:
                return 0
            deepest = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    depth = 1 + self.selection_depth(selection.selection_set, seen)
                elif isinstance(selection, InlineFragmentNode):
                    depth = self.selection_depth(selection.selection_set, seen)
                elif isinstance(selection, FragmentSpreadNode):
                    depth = self.fragment_depth(selection.name.value, seen)
                else:  # pragma: no cover - the three kinds above are all GraphQL has
                    depth = 0
                deepest = max(deepest, depth)
            return deepest

        def fragment_depth(self, name: str, seen: frozenset[str]) -> int:
            # A cycle counts as nothing here; NoFragmentCyclesRule reports it.
            if name in seen:
                return 0
            if name not in self.fragment_depths:
                fragment = self.context.get_fragment(name)
                self.fragment_depths[name] = (
                    self.selection_depth(fragment.selection_set, seen | {name}) if fragment else 0
                )
            return self.fragment_depths[name]

    return IntrospectionDepthRule


def introspection_width_rule(max_fields: int) -> type[ASTValidationRule]:
    """A rule refusing documents that select ``__schema``/``__type`` more than ``max_fields``
    times, aliases and fragment spreads counted."""

    def refusal(count: int) -> GraphQLError | None:
        if count <= max_fields:
            return None
        return GraphQLError(
            f"The document selects __schema/__type {count} times; the limit is {max_fields}.",
            extensions={"code": "INTROSPECTION_TOO_WIDE"},
        )

    return document_count_rule(Fragments.introspection_count, refusal)
