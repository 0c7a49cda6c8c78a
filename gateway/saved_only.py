"""Saved-queries-only mode: the gateway runs the saved queries of ``queries/`` and nothing else.

With ``C360_SAVED_QUERIES_ONLY=true`` an operation runs only when its text is,
byte for byte, one of the saved queries: sent by name (``documentId``), by hash
(``sha256:<hash>`` or Apollo's APQ) or as the saved text itself. Any other
document, in a batch or alone, over GET or POST, is refused before it runs with
HTTP 400 and ``SAVED_QUERY_REQUIRED``, naming the saved queries. An APQ text that
is not saved is never run, so registering it buys nothing. GraphiQL needs
introspection, which is not a saved query: turn it off too (``C360_GRAPHIQL=false``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

SAVED_QUERY_REQUIRED = "SAVED_QUERY_REQUIRED"


def saved_query_hashes(directory: Path) -> dict[str, str]:
    """SHA-256 of each saved query's text (as ``load_saved_queries`` hashes it) -> its name."""
    return {
        hashlib.sha256(file.read_text(encoding="utf-8").encode()).hexdigest(): file.stem
        for file in sorted(directory.glob("*.graphql"))
    }


def saved_queries_only(directory: Path) -> Callable[[], SchemaExtension]:
    """The extension factory for the saved queries of ``directory`` (hashed once, at start)."""
    hashes = saved_query_hashes(directory)
    names = ", ".join(sorted(hashes.values())) or "none"

    class SavedQueriesOnly(SchemaExtension):
        """Refuses, before it runs, any operation whose text is not a saved query's."""

        def on_validate(self) -> Iterator[None]:
            # Listed after ValidatedDocuments, whose answer this replaces: a client learns
            # that only saved queries run, not what is wrong with its text.
            context = self.execution_context
            text = context.query or ""
            if hashlib.sha256(text.encode()).hexdigest() not in hashes:
                context.pre_execution_errors = [
                    GraphQLError(
                        "this gateway runs saved queries only: send one by name "
                        f'({{"documentId": "<name>"}}) or by hash (saved: {names})',
                        extensions={"code": SAVED_QUERY_REQUIRED},
                    )
                ]
            yield

    return SavedQueriesOnly
