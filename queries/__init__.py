"""The saved queries (``*.graphql``), one per role's screen: package data of the gateway.

A package, so a built wheel carries them and an installed gateway finds them
where it was installed, without the repository around it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def saved_queries_dir() -> Path:
    """This installation's saved-query folder: the repository's ``queries/`` or site-packages'."""
    return Path(str(files(__name__)))
