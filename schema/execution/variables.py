"""Whether part of an operation reads a variable: what does not can be worked out once."""

from __future__ import annotations

from typing import Any

from graphql.language import Node, Visitor, visit


class _VariableFinder(Visitor):
    """Stops at the first variable it meets."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_variable(self, *_: Any) -> Any:
        self.found = True
        return Visitor.BREAK


def has_variables(node: Node) -> bool:
    """Whether anything under ``node`` (arguments, nested fields) reads a variable."""
    finder = _VariableFinder()
    visit(node, finder)
    return finder.found
