"""Net Promoter Score per month and its trend, from survey reports or survey answers.

Pure functions, and ``nps_of`` that reads the survey report when a system serves
one, else the answers. NPS = % promoters (9-10) - % detractors (0-6) of scored
answers; an answer never scored, or outside 0-10, is not an answer. The trend
compares the last three months with the three before them, over their pooled answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from resolvers.process.dated_figure import Figure
from resolvers.process.months import month_of
from resolvers.system.business_loaders import BusinessLoaders
from resolvers.system.business_records import NpsMonth, SurveyResponse

TREND_MONTHS = 3


@dataclass(slots=True, frozen=True)
class NpsInMonth:
    month: str
    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    """None for a month without answers."""


@dataclass(slots=True, frozen=True)
class NpsFigures:
    months: list[NpsInMonth]
    score: float | None
    """NPS over the whole window's answers."""
    trend: float | None
    """Last three months' NPS minus the three before (points); None without answers in both."""


def nps(promoters: int, detractors: int, responses: int) -> float | None:
    return round(100 * (promoters - detractors) / responses, 1) if responses else None


def nps_by_month(rows: Sequence[NpsMonth], months: Sequence[str]) -> NpsFigures:
    """The window's months, oldest first, from report rows (several sources add up)."""
    counts: dict[str, list[int]] = {month: [0, 0, 0, 0] for month in months}
    for row in rows:
        entry = counts.get(row.month)
        if entry is None:
            continue
        passives = (
            row.passives
            if row.passives is not None
            else row.responses - row.promoters - row.detractors
        )
        entry[0] += row.responses
        entry[1] += row.promoters
        entry[2] += passives
        entry[3] += row.detractors
    figures = [
        NpsInMonth(month, n, p, m, d, nps(p, d, n))
        for month, (n, p, m, d) in ((month, counts[month]) for month in months)
    ]
    return NpsFigures(figures, _pooled(figures), _trend(figures))


def nps_from_responses(responses: Sequence[SurveyResponse], months: Sequence[str]) -> NpsFigures:
    """The same figures counted from answers (for a survey system without a report)."""
    rows = []
    for response in responses:
        score = response.score
        if score is None or not 0 <= score <= 10:
            continue
        rows.append(
            NpsMonth(
                response.source,
                month_of(response.submitted_at),
                1,
                int(score >= 9),
                int(score <= 6),
                response.submitted_at,
                int(7 <= score <= 8),
            )
        )
    return nps_by_month(rows, months)


async def nps_of(loaders: BusinessLoaders, months: Sequence[str]) -> Figure[NpsFigures]:
    """NPS per month over ``months`` and its trend: the survey report, else the answers."""
    if loaders.nps_by_month.served:
        report = await loaders.nps_by_month.load()
        return Figure(nps_by_month(report.records, months), report.as_of)
    answers = await loaders.survey_responses.load()
    return Figure(nps_from_responses(answers.records, months), answers.as_of)


def _pooled(figures: Sequence[NpsInMonth]) -> float | None:
    return nps(
        sum(f.promoters for f in figures),
        sum(f.detractors for f in figures),
        sum(f.responses for f in figures),
    )


def _trend(figures: Sequence[NpsInMonth]) -> float | None:
    if len(figures) < 2 * TREND_MONTHS:
        return None
    recent = _pooled(figures[-TREND_MONTHS:])
    before = _pooled(figures[-2 * TREND_MONTHS : -TREND_MONTHS])
    if recent is None or before is None:
        return None
    return round(recent - before, 1)
