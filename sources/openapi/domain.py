"""What the importer maps onto: the domain records, handed in by whoever runs it.

The importer sits in the sources layer and never imports ``resolvers``; the
records a source's answers become (``Order``, ``Invoice``, ...) and the check
that a mapping onto them holds are the resolvers layer's. The tool that runs
the importer (``tools/import_openapi.py``, the ``c360-import`` command) builds
a ``Domain`` from ``resolvers.system.records`` and ``resolvers.system.mapping``
and passes it in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sources.config import SourcesConfig


@dataclass(frozen=True, slots=True)
class Domain:
    """The records an entity may serve, their nested records, and the mapping check."""

    records: Mapping[str, type]
    """``serves:`` name → the record's dataclass (its fields and type hints are read)."""
    nested: Mapping[str, type]
    """A record field holding a list of records (``lines``) → that record's dataclass."""
    check_mappings: Callable[[SourcesConfig], object]
    """Raises ``sources.errors.ConfigError`` naming where a skeleton's mapping is wrong."""
