"""A business figure and the moment it describes: what every CMO and CEO aggregate returns.

The process functions that read the systems' reports or records (``*_of(loaders, ...)``)
return their figure dated by its ``as_of``: the oldest moment any of its inputs
describes, so a figure built from a stale copy never looks newer than it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

Value = TypeVar("Value")


@dataclass(slots=True, frozen=True)
class Figure(Generic[Value]):
    value: Value
    as_of: datetime


def oldest(*moments: datetime) -> datetime:
    """The as-of of a figure made of inputs of these moments."""
    return min(moments)
