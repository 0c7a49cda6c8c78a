"""How customer intelligence is configured: one object, defaults in code, overridable in YAML.

``C360_INTELLIGENCE_FILE`` names a YAML file whose top-level keys replace the
defaults below, section by section (``rfm_monetary``, ``segments``,
``ticket_costs``, ``profitability_tiers``, ``clv``, ``churn``, ``offers``,
``population_scan``). A
bad file stops the gateway at start with the key and the problem named.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from resolvers.process.segments import DEFAULT_RULES, SegmentRule, uncovered_codes

Score = Annotated[int, Field(ge=1, le=5)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SegmentRow(_Strict):
    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    recency: tuple[Score, Score] = (1, 5)
    frequency: tuple[Score, Score] = (1, 5)
    monetary: tuple[Score, Score] = (1, 5)
    applies_to: Literal["scored", "never_ordered", "lapsed"] = "scored"

    def rule(self) -> SegmentRule:
        return SegmentRule(
            self.name,
            self.description,
            self.recency,
            self.frequency,
            self.monetary,
            self.applies_to,
        )


class Offer(_Strict):
    """One offer the next-best-offer field may propose."""

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    name: Annotated[str, Field(min_length=1)]
    value: float
    """What an acceptance is worth to us (margin), in the order system's currency."""
    cost: Annotated[float, Field(ge=0)] = 0.0
    """What making the offer costs, accepted or not."""
    prior_rate: Annotated[float, Field(gt=0, lt=1)] = 0.1
    """The acceptance rate assumed before any outcome is recorded."""
    marketing: bool = True
    """Needs the customer's marketing consent (a service gesture does not)."""
    segments: tuple[str, ...] = ()
    """Only for these segments; empty: every segment."""


DEFAULT_OFFERS: tuple[Offer, ...] = (
    Offer(
        id="vip-early-access",
        name="Early access to the new collection",
        value=40.0,
        cost=2.0,
        prior_rate=0.25,
        segments=("Champions", "Loyal"),
    ),
    Offer(
        id="winback-20",
        name="20% off to come back",
        value=25.0,
        cost=6.0,
        prior_rate=0.12,
        segments=("At risk", "Can't lose them", "Hibernating", "Lost", "Lapsed"),
    ),
    Offer(
        id="second-order-10",
        name="10% off the second order",
        value=18.0,
        cost=3.0,
        prior_rate=0.15,
        segments=("New customer", "Potential loyalist", "Needs attention"),
    ),
    Offer(
        id="loyalty-signup", name="Join the loyalty programme", value=12.0, cost=0.5, prior_rate=0.2
    ),
    Offer(
        id="welcome-5",
        name="5 off a first order",
        value=10.0,
        cost=1.0,
        prior_rate=0.08,
        segments=("Prospect",),
    ),
    Offer(
        id="service-callback",
        name="A call back from a senior agent",
        value=15.0,
        cost=4.0,
        prior_rate=0.5,
        marketing=False,
    ),
)


class Tier(_Strict):
    name: Annotated[str, Field(min_length=1)]
    min_profit: float | None
    """The tier applies from this profit up; None: the lowest tier (any profit)."""


class ClvSettings(_Strict):
    horizon_months: Annotated[int, Field(ge=1, le=120)] = 12
    monthly_discount_rate: Annotated[float, Field(ge=0, lt=1)] = 0.01
    refit_every_s: Annotated[float, Field(ge=10)] = 3600.0
    first_fit_after_s: Annotated[float, Field(ge=0, le=600)] = 2.0
    """The background work (scan, fit) starts this long after the gateway, off its start-up."""


class ChurnSettings(_Strict):
    silence_ratio_watch: Annotated[float, Field(gt=0)] = 1.5
    """Days of silence over the customer's usual gap between orders that counts as unusual."""
    silence_ratio_alarm: Annotated[float, Field(gt=0)] = 3.0
    spend_drop: Annotated[float, Field(gt=0, lt=1)] = 0.5
    """Spend in the last half of the window below this share of the first half: falling."""
    high: Annotated[float, Field(gt=0, le=1)] = 0.6
    medium: Annotated[float, Field(gt=0, le=1)] = 0.3


class PopulationScan(_Strict):
    """The gateway's own population where no order system sends one (``population_scan``)."""

    mode: Literal["auto", "always", "never"] = "auto"
    """auto: scan only when no source answers the population with value columns."""
    every_s: Annotated[float, Field(ge=10)] = 3600.0
    """How long a scan is used (its TTL) before the next one replaces it."""
    window_days: Annotated[int, Field(ge=1, le=3650)] = 365
    compare_days: Annotated[int, Field(ge=1, le=3650)] = 90
    max_customers: Annotated[int, Field(ge=1, le=1_000_000)] = 50_000
    batch: Annotated[int, Field(ge=1, le=1000)] = 200
    """Customers whose orders are asked for in one request."""
    timeout_s: Annotated[float, Field(gt=0, le=3600)] = 120.0
    """The whole scan's deadline; past it the scan is dropped (the previous one stays)."""


class IntelligencePolicy(_Strict):
    rfm_monetary: Literal["total", "average"] = "total"
    segments: tuple[SegmentRow, ...] = tuple(
        SegmentRow(
            name=r.name,
            description=r.description,
            recency=r.recency,
            frequency=r.frequency,
            monetary=r.monetary,
            applies_to=r.applies_to,
        )
        for r in DEFAULT_RULES
    )
    ticket_costs: dict[str, Annotated[float, Field(ge=0)]] = {
        "phone": 9.0,
        "chat": 4.0,
        "email": 5.0,
        "web": 3.0,
        "social": 6.0,
    }
    """Cost to serve one ticket, by channel (lower case); ``default`` for any other channel."""
    default_ticket_cost: Annotated[float, Field(ge=0)] = 5.0
    profitability_tiers: tuple[Tier, ...] = (
        Tier(name="HIGH", min_profit=500.0),
        Tier(name="MEDIUM", min_profit=100.0),
        Tier(name="LOW", min_profit=0.0),
        Tier(name="NEGATIVE", min_profit=None),
    )
    """Highest first; the first whose ``min_profit`` the profit reaches."""
    clv: ClvSettings = ClvSettings()
    population_scan: PopulationScan = PopulationScan()
    churn: ChurnSettings = ChurnSettings()
    offers: tuple[Offer, ...] = DEFAULT_OFFERS
    prior_weight: Annotated[float, Field(gt=0)] = 10.0
    """How many recorded outcomes an offer's prior rate counts for."""

    @model_validator(mode="after")
    def _check(self) -> IntelligencePolicy:
        missing = uncovered_codes(self.segment_rules)
        if missing:
            raise ValueError(f"segments: no rule for score codes {', '.join(missing[:10])}")
        ids = [o.id for o in self.offers]
        if len(set(ids)) != len(ids):
            raise ValueError("offers: two offers share an id")
        if not self.profitability_tiers or self.profitability_tiers[-1].min_profit is not None:
            raise ValueError("profitability_tiers: the last tier must have min_profit: null")
        return self

    @cached_property
    def segment_rules(self) -> tuple[SegmentRule, ...]:
        return tuple(row.rule() for row in self.segments)

    def offer(self, offer_id: str) -> Offer | None:
        return next((o for o in self.offers if o.id == offer_id), None)


DEFAULT_POLICY = IntelligencePolicy()


class PolicyError(ValueError):
    """The intelligence config cannot be used; the message names the file and the key."""


def policy_from_yaml(text: str, where: str) -> IntelligencePolicy:
    """The policy from a YAML document (``where`` names it in errors)."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PolicyError(f"{where}: not YAML ({error})") from None
    if data is None:
        return DEFAULT_POLICY
    if not isinstance(data, dict):
        raise PolicyError(f"{where}: expected a mapping of sections at the top")
    try:
        return IntelligencePolicy.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            ".".join(str(p) for p in e["loc"])
            + ": " * bool(e["loc"])
            + e["msg"].removeprefix("Value error, ")
            for e in error.errors()
        )
        raise PolicyError(f"{where}: {problems}") from None
