"""Domain records of the business systems (marketing, sales pipeline, surveys, revenue reports).

What the CMO's and CEO's views are made of. Like every domain record they name
their ``source``; report rows carry the ``as_of`` time their source computed them.
Field values are as the source wrote them (a lead's channel, an opportunity's
stage): the process layer normalises what needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(slots=True, frozen=True)
class Campaign:
    source: str
    id: str
    channel: str
    started_on: date
    name: str | None = None
    ended_on: date | None = None
    status: str | None = None
    budget: float | None = None


@dataclass(slots=True, frozen=True)
class CampaignCost:
    """Money spent on a campaign in one month (``month`` is ``YYYY-MM``)."""

    source: str
    id: str
    campaign_id: str
    month: str
    amount: float
    currency: str | None = None


@dataclass(slots=True, frozen=True)
class Lead:
    source: str
    id: str
    created_at: datetime
    email: str | None = None
    campaign_id: str | None = None
    channel: str | None = None
    status: str | None = None
    converted_at: datetime | None = None


@dataclass(slots=True, frozen=True)
class Opportunity:
    source: str
    id: str
    stage: str
    amount: float
    created_at: datetime
    name: str | None = None
    contact_email: str | None = None
    account_id: str | None = None
    currency: str | None = None
    close_date: date | None = None
    owner: str | None = None
    campaign_id: str | None = None
    stage_changed_at: datetime | None = None


@dataclass(slots=True, frozen=True)
class SurveyResponse:
    """One answer to "how likely are you to recommend us" (0-10; None: never scored)."""

    source: str
    id: str
    submitted_at: datetime
    score: int | None = None
    respondent_email: str | None = None
    survey: str | None = None
    comment: str | None = None
    channel: str | None = None


@dataclass(slots=True, frozen=True)
class LeadMonth:
    """A source's report row: leads that came in one month on one channel (from one campaign)."""

    source: str
    month: str
    channel: str
    leads: int
    as_of: datetime
    converted: int | None = None
    campaign_id: str | None = None


@dataclass(slots=True, frozen=True)
class PipelineStage:
    """A source's report row: open opportunities in one stage and how long they have sat."""

    source: str
    stage: str
    opportunities: int
    amount: float
    as_of: datetime
    average_days_in_stage: float | None = None
    max_days_in_stage: int | None = None


@dataclass(slots=True, frozen=True)
class WonMonth:
    """A source's report row: deals won in one month (closed), from one sourcing campaign."""

    source: str
    month: str
    amount: float
    as_of: datetime
    deals: int | None = None
    campaign_id: str | None = None


@dataclass(slots=True, frozen=True)
class NpsMonth:
    """A source's report row: scored answers of one month by kind."""

    source: str
    month: str
    responses: int
    promoters: int
    detractors: int
    as_of: datetime
    passives: int | None = None


@dataclass(slots=True, frozen=True)
class RevenueMonth:
    """A source's report row: one month's sales, discounts, returns and net revenue."""

    source: str
    month: str
    net: float
    as_of: datetime
    orders: int | None = None
    gross: float | None = None
    discounts: float | None = None
    returns: float | None = None


BUSINESS_RECORD_TYPES: dict[str, type] = {
    "campaigns": Campaign,
    "campaign_costs": CampaignCost,
    "leads": Lead,
    "opportunities": Opportunity,
    "survey_responses": SurveyResponse,
    "leads_by_month": LeadMonth,
    "pipeline_by_stage": PipelineStage,
    "won_by_month": WonMonth,
    "nps_by_month": NpsMonth,
    "revenue_by_month": RevenueMonth,
}
"""What an entity's ``serves:`` may name for the business systems."""
