"""Calendar months as the role views count them: `YYYY-MM`, UTC, the current one included."""

from __future__ import annotations

from datetime import datetime

MOST_MONTHS = 36


def month_window(now: datetime, months: int) -> list[str]:
    """The last ``months`` months (clamped to 1..36) ending with ``now``'s, oldest first."""
    months = max(1, min(months, MOST_MONTHS))
    year, month = now.year, now.month
    window = []
    for _ in range(months):
        window.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return window[::-1]


def month_of(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def growth_pct(current: float, previous: float | None) -> float | None:
    """Change from ``previous`` in % of it (one decimal); None without a positive base."""
    if previous is None or previous <= 0:
        return None
    return round(100 * (current - previous) / previous, 1) + 0.0  # never -0.0
