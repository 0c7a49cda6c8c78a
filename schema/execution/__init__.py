"""The execution engine: compiled plans for repeated operations, plain data completed directly.

It plugs into Strawberry only through public hooks (a schema extension, the
executor class, ``StrawberryConfig(name_converter=...)``); every private API it
needs sits in ``schema.execution.adapter``, checked against the pinned versions.
"""

from __future__ import annotations

from schema.execution.bounded import BoundedExecutionContext
from schema.execution.engine import ExecutionEngine, PlanExtension
from schema.execution.fallback import NotCompilable, Reason
from schema.execution.leaves import constant, leaf_value
from schema.execution.names import MemoizedNameConverter
from schema.execution.plain_data import PlainDataExecutionContext, plain_types
from schema.execution.planner import compile_operation
from schema.execution.runner import CompiledOperation, CompiledResult

__all__ = [
    "BoundedExecutionContext",
    "CompiledOperation",
    "CompiledResult",
    "ExecutionEngine",
    "MemoizedNameConverter",
    "NotCompilable",
    "PlainDataExecutionContext",
    "PlanExtension",
    "Reason",
    "compile_operation",
    "constant",
    "leaf_value",
    "plain_types",
]
