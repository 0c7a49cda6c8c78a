"""Churn risk: a 0–1 score and the reasons behind it, from a customer's own behaviour.

Signals (each adds to the score and says why; the score is capped at 1):
- silence against the customer's own rhythm: days since the last purchase over
  their median gap between purchases (watch from ``silence_ratio_watch``, alarm
  from ``silence_ratio_alarm``); a one-off buyer is measured against the
  population's typical window instead (silence over half the window);
- falling spend: kept spend in the more recent half of the last year below
  ``spend_drop`` of the earlier half;
- open complaints: open tickets, more for urgent ones;
- negative mentions in the last 90 days.
Levels: HIGH from ``churn.high``, MEDIUM from ``churn.medium``, else LOW.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median

from resolvers.process.health import PRESSING, is_negative, is_open
from resolvers.process.policy import IntelligencePolicy
from resolvers.process.rfm import is_purchase, kept_amount
from resolvers.system.records import Order, SocialMention, Ticket

RECENT_MENTIONS = timedelta(days=90)
HALF_YEAR = timedelta(days=182)


@dataclass(slots=True, frozen=True)
class ChurnReason:
    code: str
    weight: float
    message: str


@dataclass(slots=True, frozen=True)
class ChurnRisk:
    score: float
    level: str
    reasons: tuple[ChurnReason, ...]
    days_since_last_purchase: int | None
    usual_gap_days: float | None


def churn_risk(
    orders: Iterable[Order],
    tickets: Iterable[Ticket],
    mentions: Iterable[SocialMention],
    now: datetime,
    policy: IntelligencePolicy,
    window_days: int = 365,
) -> ChurnRisk:
    settings = policy.churn
    bought = sorted((o for o in orders if is_purchase(o, now)), key=lambda o: o.placed_at)
    reasons: list[ChurnReason] = []
    silence: int | None = None
    gap: float | None = None
    if bought:
        silence = max(0, (now - bought[-1].placed_at).days)
        gaps = [(b.placed_at - a.placed_at).total_seconds() / 86400 for a, b in pairwise(bought)]
        gap = round(max(1.0, median(gaps)), 1) if gaps else None
        usual = gap if gap is not None else window_days / 2
        ratio = silence / usual
        if ratio >= settings.silence_ratio_alarm:
            reasons.append(
                ChurnReason(
                    "LONG_SILENCE",
                    0.45,
                    f"No purchase for {silence} days, {ratio:.1f}× the usual gap of {usual:.0f}",
                )
            )
        elif ratio >= settings.silence_ratio_watch:
            reasons.append(
                ChurnReason(
                    "SILENCE",
                    0.25,
                    f"No purchase for {silence} days, {ratio:.1f}× the usual gap of {usual:.0f}",
                )
            )
        recent = sum(kept_amount(o) for o in bought if now - o.placed_at <= HALF_YEAR)
        earlier = sum(
            kept_amount(o) for o in bought if HALF_YEAR < now - o.placed_at <= 2 * HALF_YEAR
        )
        if earlier > 0 and recent < settings.spend_drop * earlier:
            reasons.append(
                ChurnReason(
                    "FALLING_SPEND",
                    0.2,
                    f"Spent {recent:.2f} in the last six months against {earlier:.2f} before",
                )
            )
    for ticket in tickets:
        if is_open(ticket):
            urgent = (ticket.priority or "").lower() in PRESSING
            reasons.append(
                ChurnReason(
                    "OPEN_COMPLAINT",
                    0.2 if urgent else 0.1,
                    f"Open {'urgent ' if urgent else ''}ticket #{ticket.id}: "
                    f"{ticket.subject or ''}",
                )
            )
    for mention in mentions:
        if is_negative(mention) and timedelta(0) <= now - mention.posted_at <= RECENT_MENTIONS:
            reasons.append(
                ChurnReason(
                    "NEGATIVE_MENTION",
                    0.15,
                    f"Negative post on {mention.network or 'social media'} "
                    f"{(now - mention.posted_at).days} day(s) ago",
                )
            )
    reasons.sort(key=lambda r: -r.weight)
    score = round(min(1.0, sum(r.weight for r in reasons)), 2)
    level = "HIGH" if score >= settings.high else "MEDIUM" if score >= settings.medium else "LOW"
    return ChurnRisk(score, level, tuple(reasons), silence, gap)
