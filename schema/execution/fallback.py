"""Why an operation runs on graphql-core's generic executor instead of as a plan."""

from __future__ import annotations

from typing import Literal

Reason = Literal[
    "introspection",
    "variable_directive",
    "directive",
    "abstract_type",
    "field_extension",
    "resolver_extension",
    "exception_handler",
    "custom_resolver",
    "mutation",
    "subscription",
    "too_large",
    "several_operations",
    "unknown_operation",
    "unsupported",
]
"""Short machine codes: a metric label of low cardinality (``c360_execution_fallbacks_total``)."""


class NotCompilable(Exception):
    """The operation uses something only the generic executor runs.

    ``reason`` is the machine code, ``detail`` says what exactly (for the log).
    """

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason: Reason = reason
        self.detail = detail
