"""Persisted queries: a client sends an id instead of the query text.

Three spellings are understood:
- Apollo's APQ: ``extensions.persistedQuery = {version: 1, sha256Hash}``; an
  unknown hash answers ``PERSISTED_QUERY_NOT_FOUND`` and the client may resend
  the text with the hash once, which registers it once it has parsed and
  validated (an unparsable or refused text is never kept; the registrations are
  bounded in bytes, in process);
- ``documentId``, the GraphQL-over-HTTP persisted-documents form: ``sha256:<hash>``;
- ``documentId`` as the name of a saved query in ``queries/`` (``"agent"``).

Saved queries are always known by name and by hash, registered at start.
"""

from __future__ import annotations

import hashlib
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from gateway.document_cache import cacheable
from gateway.saved_queries import SavedQuery

_PENDING: ContextVar[tuple[str, str] | None] = ContextVar("c360_apq_pending", default=None)
"""This request's APQ registration (hash, text), made only once the text validated."""


@dataclass(slots=True, frozen=True)
class PersistedQueryError(Exception):
    message: str
    code: str
    status: int = 200


class PersistedQueries:
    """Saved queries by name and hash, plus the APQ registrations clients made."""

    def __init__(self, saved: dict[str, SavedQuery], max_registered_bytes: int = 8_000_000) -> None:
        self._by_name = {q.name: q.text for q in saved.values()}
        self._by_hash: dict[str, str] = {q.sha256: q.text for q in saved.values()}
        self._registered: LRUCache[str, str] = LRUCache(
            maxsize=max_registered_bytes, getsizeof=lambda text: len(text) + 64
        )

    def begin_request(self) -> None:
        """Forget any registration a previous request on this task left pending."""
        _PENDING.set(None)

    def end_request(self, *, validated: bool) -> None:
        """Register this request's APQ text if it parsed and validated."""
        pending = _PENDING.get()
        _PENDING.set(None)
        if pending is not None and validated:
            digest, text = pending
            self._registered[digest] = text

    def text_for(self, payload: dict[str, Any]) -> str | None:
        """The query text a request stands for; None when it carries its own, unregistered text.

        Raises ``PersistedQueryError`` for an unknown id or a hash that does not
        match the text sent with it.
        """
        query = payload.get("query")
        document_id = payload.get("documentId")
        extensions = payload.get("extensions")
        apq = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if isinstance(document_id, str):
            return self._by_document_id(document_id)
        if not isinstance(apq, dict):
            return None
        digest = apq.get("sha256Hash")
        if apq.get("version", 1) != 1 or not isinstance(digest, str):
            raise PersistedQueryError(
                "persistedQuery needs version 1 and a sha256Hash", "PERSISTED_QUERY_INVALID", 400
            )
        if isinstance(query, str):
            if hashlib.sha256(query.encode()).hexdigest() != digest:
                raise PersistedQueryError(
                    "sha256Hash does not match the query text sent with it",
                    "PERSISTED_QUERY_HASH_MISMATCH",
                    400,
                )
            if digest not in self._by_hash and digest not in self._registered and cacheable(query):
                _PENDING.set((digest, query))
            return query
        text = self._by_hash.get(digest) or self._registered.get(digest)
        if text is None:
            raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        return text

    def _by_document_id(self, document_id: str) -> str:
        if document_id.startswith("sha256:"):
            digest = document_id.removeprefix("sha256:")
            text = self._by_hash.get(digest) or self._registered.get(digest)
        else:
            text = self._by_name.get(document_id)
        if text is None:
            known = ", ".join(sorted(self._by_name)) or "none"
            raise PersistedQueryError(
                f"no persisted document '{document_id[:80]}' (saved queries: {known})",
                "PERSISTED_QUERY_NOT_FOUND",
            )
        return text
