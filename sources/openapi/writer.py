"""Writing the skeleton as YAML a person reviews: values, ``# REVIEW`` marks, commented suggestions.

PyYAML cannot write comments, and the comments are the point here, so lines
are written by hand; every scalar is either a plain word YAML reads back as the
same string or a JSON string (which YAML reads as a double-quoted scalar).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./\-]*")
_YAML_WORDS = frozenset(("true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"))
INDENT = "  "


def scalar(value: Any) -> str:
    """A YAML scalar that reads back as ``value`` (strings stay strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def flow(mapping: dict[str, Any]) -> str:
    """``{ a: b, c: "{keys}" }`` (nested mappings and lists as flow too)."""
    parts = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            rendered = flow(value)
        elif isinstance(value, list):
            rendered = "[" + ", ".join(scalar(v) for v in value) + "]"
        else:
            rendered = scalar(value)
        parts.append(f"{scalar(key)}: {rendered}")
    return "{ " + ", ".join(parts) + " }"


def comment_text(text: str) -> str:
    """One comment line's text: no line breaks sneak in from a document's descriptions."""
    return " ".join(text.split())


@dataclass(slots=True)
class Node:
    """One ``key: value`` line, or ``key:`` with children; optionally commented out.

    ``note`` is a trailing comment; ``before`` are comment lines above it.
    """

    key: str
    value: Any = None
    children: list[Node] = field(default_factory=list)
    note: str = ""
    before: list[str] = field(default_factory=list)
    commented: bool = False

    def lines(self, depth: int, *, commented: bool = False) -> Iterator[str]:
        """The node's lines at ``depth``; a commented node's lines start with ``# ``."""
        pad = INDENT * depth
        hidden = commented or self.commented
        for line in self.before:
            yield f"{pad}# {comment_text(line)}"
        lead = f"{pad}# " if hidden else pad
        if self.children:
            head = f"{scalar(self.key)}:"
        elif isinstance(self.value, dict):
            head = f"{scalar(self.key)}: {flow(self.value)}"
        else:
            head = f"{scalar(self.key)}: {scalar(self.value)}"
        yield lead + head + (f"  # {comment_text(self.note)}" if self.note else "")
        for child in self.children:
            yield from child.lines(depth + 1, commented=hidden)


def render(header: list[str], root: Node) -> str:
    """The whole file: header comment lines, then the tree."""
    lines = [f"# {comment_text(line)}" if line else "#" for line in header]
    lines.extend(root.lines(0))
    return "\n".join(lines) + "\n"
