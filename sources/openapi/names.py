"""Comparing names as systems spell them: ``customerEmails``, ``customer_email``.

What a name says about a key (``key_kind``) and how alike two names are
(``similarity``, difflib's ratio on snake_case; rapidfuzz is not a dependency).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ID_ENDINGS = ("_id", "_no", "_number", "_ref", "_key", "_code", "_uid", "_account")


def snake(name: str) -> str:
    """``nextPageToken`` and ``next-page-token`` as ``next_page_token``."""
    return re.sub(r"[^a-z0-9]+", "_", _CAMEL.sub("_", name).lower()).strip("_")


def singular(name: str) -> str:
    """``customer_emails`` → ``customer_email``, ``addresses`` → ``address``."""
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if name.endswith(("sses", "xes", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith(("ss", "us", "is")):
        return name[:-1]
    return name


def key_kind(name: str) -> str | None:
    """The key kind a parameter or field name suggests, or None for a plain filter."""
    word = singular(snake(name))
    if "email" in word or word.endswith("mail"):
        return "email"
    if any(part in word for part in ("phone", "mobile", "msisdn")) or word in ("tel", "telephone"):
        return "phone"
    if "handle" in word or word in ("username", "screen_name"):
        return "handle"
    if word in ("id", "key", "uid", "uuid", "account") or word.endswith(_ID_ENDINGS):
        return "id"
    return None


@lru_cache(maxsize=1 << 16)
def similarity(a: str, b: str) -> float:
    """How alike two names are, 0..1, after putting both in snake_case."""
    return difflib.SequenceMatcher(None, snake(a), snake(b)).ratio()
