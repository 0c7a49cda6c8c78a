"""Errors a caller can fix: they carry ``extensions.code`` like the source errors do."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class InvalidLookup(ValueError):
    """A lookup value that cannot be what it claims to be (a phone that isn't a phone)."""

    def __init__(self, kind: str, value: str | None, *, hint: str | None = None) -> None:
        """``'<value>' is not a valid <kind>``, then ``: <hint>`` when given; with no value
        (the arguments together are wrong), the hint alone, naming the argument."""
        if value is None:
            message = f"{kind}: {hint}"
        else:
            shown = value if len(value) <= 40 else value[:37] + "..."
            message = f"'{shown}' is not a valid {kind}" + (f": {hint}" if hint else "")
        super().__init__(message)
        self.kind = kind

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": "BAD_USER_INPUT", "argument": self.kind}


class MissingTimeZone(InvalidLookup):
    """A date-time argument without a time zone: nobody can tell which moment it means."""

    def __init__(self, argument: str, moment: datetime) -> None:
        shown = moment.isoformat()
        ValueError.__init__(
            self,
            f"'{shown}' has no time zone: give {argument} with one, e.g. \"{shown}Z\" (UTC)",
        )
        self.kind = argument
