"""Whether part of an operation reads a variable: what does not can be worked out once."""

from __future__ import annotations

from typing import Any

from graphql.language import Node, Visitor, visit


def has_variables(node: Node) -> bool:
    """Whether anything under ``node`` (arguments, nested fields) reads a variable."""
    found = False

    class Finder(Visitor):
        def enter_variable(self, *_: Any) -> Any:
            nonlocal found
            found = True
            return Visitor.BREAK

    visit(node, Finder())
    return found
