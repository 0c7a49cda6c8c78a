"""Wire formats for time, shared by every demo system so they all look alike on the wire."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def midnight(day: date) -> datetime:
    """00:00:00 UTC of `day`."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def moment(today: date, days_ago: int, second_of_day: int) -> datetime:
    """A UTC instant `days_ago` days before `today`, at `second_of_day` seconds after midnight."""
    return midnight(today) - timedelta(days=days_ago) + timedelta(seconds=second_of_day)


def iso_timestamp(instant: datetime) -> str:
    """ISO 8601 UTC with a `Z`, to the second: `2026-11-27T08:41:00Z`."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(day: date) -> str:
    """`YYYY-MM-DD`."""
    return day.isoformat()


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp or date; naive values are taken as UTC.

    A `+` in an unencoded query string arrives as a space, so a space before an
    offset is read back as `+`. Raises ValueError on anything else.
    """
    cleaned = text.strip()
    if len(cleaned) > 19 and cleaned[19] == " ":
        cleaned = cleaned[:19] + "+" + cleaned[20:]
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    parsed = datetime.fromisoformat(cleaned)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
