"""Population answers (anonymous RFM value rows) as the order system's /stats/rfm gives them."""

from __future__ import annotations

from datetime import datetime

from resolvers.system.records import RfmCutPoints


def population_answer(
    source: str, as_of: datetime, rows: list[tuple[float, float, float]]
) -> RfmCutPoints:
    """One row per customer: (recency days, orders, spend) over a 365-day window.

    Give each test its own ``source``: snapshots are kept per process, and one test's
    population must never be the one in hand for another's.
    """
    return RfmCutPoints(
        source=source,
        as_of=as_of,
        recency_days=(),
        frequency=(),
        monetary=(),
        window_days=365,
        compare_days=90,
        recency_days_values=tuple(r for r, _, _ in rows),
        frequency_values=tuple(f for _, f, _ in rows),
        monetary_values=tuple(m for _, _, m in rows),
        tenure_days_values=tuple(r + 10 for r, _, _ in rows),
    )
