"""The execution engine: compiled plans for repeated operations, plain data completed directly.

It plugs into Strawberry only through public hooks; every private API it needs
sits in ``schema.execution.adapter``, checked against the pinned versions.
"""

from __future__ import annotations

from schema.execution.fallback import NotCompilable, Reason
from schema.execution.leaves import constant, leaf_value
from schema.execution.plain_data import plain_data_executor, plain_types
from schema.execution.planner import compile_operation
from schema.execution.runner import CompiledOperation, CompiledResult

__all__ = [
    "CompiledOperation",
    "CompiledResult",
    "NotCompilable",
    "Reason",
    "compile_operation",
    "constant",
    "leaf_value",
    "plain_data_executor",
    "plain_types",
]
