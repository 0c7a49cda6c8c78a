"""The one error hierarchy for source systems and their config.

Each error carries the GraphQL ``extensions`` it maps to; graphql-core copies an
original error's ``extensions`` onto the located error, so this file is the one
place where a failure becomes an ``extensions.code``.
"""

from __future__ import annotations

from typing import Any


class SourceError(Exception):
    """A source system could not give us what we asked for."""

    code = "SOURCE_ERROR"

    def __init__(self, source: str, message: str, *, entity: str | None = None) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.entity = entity
        self.detail = message

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "source": self.source}


class SourceTimeout(SourceError):
    """The source did not answer within its timeout or the request's deadline."""

    code = "SOURCE_TIMEOUT"


class SourceUnavailable(SourceError):
    """The source refused the connection, answered 5xx, or its breaker is open."""

    code = "SOURCE_UNAVAILABLE"


class SourceBadResponse(SourceError):
    """The source answered, but not with what its config says it serves."""

    code = "SOURCE_BAD_RESPONSE"


class SourceRejected(SourceError):
    """The source answered 4xx: our request (or its config) is wrong, retrying won't help."""

    code = "SOURCE_REJECTED"


class SourceBudgetExceeded(SourceError):
    """We refused to call the source: the call would break its configured budget.

    Not a failure of the source (its breaker does not hear of it); ``budget``
    names the limit (``rate_per_s``, ``concurrency`` or ``max_calls_per_request``).
    """

    code = "SOURCE_BUDGET_EXCEEDED"

    def __init__(self, source: str, budget: str, message: str, *, entity: str | None = None):
        super().__init__(source, message, entity=entity)
        self.budget = budget

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "source": self.source, "budget": self.budget}


class ConfigError(Exception):
    """The source config file is invalid; the message names the file, source and field."""
