"""What the foreign systems change in the demo's OpenAPI documents: their own titles."""

from __future__ import annotations

from typing import Any


def titled(document: dict[str, Any], title: str) -> dict[str, Any]:
    """`document` with its own title: these are not the demo's systems."""
    return {**document, "info": {**document["info"], "title": title}}
