"""Parsed and validated documents, remembered by query text and bounded in bytes.

Strawberry's ``ParserCache`` and ``ValidationCache`` are bounded by entries: 512
documents parsed from 1 MB bodies are over a gigabyte of syntax tree (about 120
bytes per character of text). These caches count what they keep in bytes of
text times ``TREE_BYTES_PER_CHAR``, keep at most ``CACHE_BYTES`` each, and never
keep a text over ``MAX_CACHED_TEXT`` (no real query comes near it): such a
request is parsed and validated for itself and leaves nothing behind.

The validation cache is keyed by (schema, rules, text) instead of the document
(hashing a document walks its whole tree).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from cachetools import LRUCache
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAX_CACHED_TEXT = 64_000
"""Query texts longer than this are never kept (the agent's saved query is under 1 KB)."""

TREE_BYTES_PER_CHAR = 150
"""What graphql-core's syntax tree of one character of query text weighs (measured: 60-125)."""

OFF_LOOP_TEXT = 4_000
"""Texts longer than this are parsed and validated in a worker thread when not cached."""

T = TypeVar("T")

CACHE_BYTES = 64_000_000
"""Each cache's budget, in estimated bytes."""

ValidationKey = tuple[GraphQLSchema, tuple[type[ASTValidationRule], ...], str]


def _document_bytes(document: DocumentNode) -> int:
    source = document.loc.source.body if document.loc else ""
    return max(1, len(source)) * TREE_BYTES_PER_CHAR


def _errors_bytes(entry: tuple[int, list[GraphQLError]]) -> int:
    size, errors = entry
    return size * TREE_BYTES_PER_CHAR if errors else size  # errors hold the document's nodes


ParseKey = tuple[str, tuple[tuple[str, Any], ...]]
"""The text and the parse options (``max_tokens``) it was parsed with."""

_PARSED: LRUCache[ParseKey, DocumentNode] = LRUCache(maxsize=CACHE_BYTES, getsizeof=_document_bytes)
_VALIDATED: LRUCache[ValidationKey, tuple[int, list[GraphQLError]]] = LRUCache(
    maxsize=CACHE_BYTES, getsizeof=_errors_bytes
)


def cacheable(text: str | None) -> bool:
    return bool(text) and len(text or "") <= MAX_CACHED_TEXT


class ParsedDocuments(SchemaExtension):
    """``ParserCache``, bounded in bytes, skipping texts over ``MAX_CACHED_TEXT``.

    A text longer than ``OFF_LOOP_TEXT`` that is not cached is parsed in a worker
    thread, so other requests keep being served meanwhile (the GIL is handed back
    to the loop every few milliseconds).
    """

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        text = context.query
        if text is not None:
            key = (text, tuple(sorted(context.parse_options.items())))  # max_tokens
            document = _PARSED.get(key) if cacheable(text) else None
            if document is None:
                document = await _off_loop_if_long(text, parse, text, **context.parse_options)
                if cacheable(text):
                    _PARSED[key] = document
            context.graphql_document = document
        yield


class ValidatedDocuments(SchemaExtension):
    """``ValidationCache``, keyed by text, bounded in bytes, skipping texts over the limit.

    Validation of a text not cached is moved off the loop as parsing is: graphql-core
    needs about a quarter second for a 20 KB document on a slow core.
    """

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        text = context.query or ""
        if document is not None:
            schema = context.schema._schema
            rules = tuple(context.validation_rules)
            key = (schema, rules, text)
            entry = _VALIDATED.get(key) if cacheable(text) else None
            if entry is None:
                errors = await _off_loop_if_long(text, validate_document, schema, document, rules)
                entry = (len(text), errors)
                if cacheable(text):
                    _VALIDATED[key] = entry
            context.pre_execution_errors = list(entry[1])  # later steps may replace it
        yield


async def _off_loop_if_long(text: str, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work(*args, **kwargs)``, in a worker thread when ``text`` is long."""
    if len(text) <= OFF_LOOP_TEXT:
        return work(*args, **kwargs)
    return await asyncio.to_thread(work, *args, **kwargs)


def cached_bytes() -> tuple[int, int]:
    """What the two caches hold now, in estimated bytes (for tests and the bench)."""
    return int(_PARSED.currsize), int(_VALIDATED.currsize)
