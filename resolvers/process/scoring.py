"""Scores over a person's records from several systems: RFM, segment, profitability,
lifetime value, churn risk, next best offer, health light."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from resolvers.process.churn import ChurnRisk, churn_risk
from resolvers.process.clv import customer_lifetime_value, history_of
from resolvers.process.facts import (
    invoices_of,
    mentions_of,
    orders_of,
    rfm_cut_points,
    tickets_of,
    visits_of,
)
from resolvers.process.health import Health, Signals, health_light
from resolvers.process.identity import Person
from resolvers.process.intelligence import Intelligence
from resolvers.process.offers import OfferChoice, check_outcome, ranked_offers
from resolvers.process.policy import DEFAULT_POLICY, IntelligencePolicy
from resolvers.process.population import chosen_population
from resolvers.process.population_snapshots import PopulationSnapshots
from resolvers.process.profitability import Profitability, profitability
from resolvers.process.rfm import RfmScore, count_orders, rfm_scores
from resolvers.process.segments import Segment, segment_for
from resolvers.system.customer_loaders import Ahead, CustomerLoaders
from resolvers.system.records import RfmCutPoints

RFM_READS: tuple[Ahead, ...] = ("orders", "rfm_cut_points")
"""The named loaders RFM scores (and the segment) are made of."""

HEALTH_READS: tuple[Ahead, ...] = (
    "tickets",
    "invoices",
    "social_mentions",
    "web_visits",
    "orders",
)
"""The named loaders the health light is made of (orders: churn risk and profitability)."""


async def rfm_of(
    loaders: CustomerLoaders,
    person: Person,
    now: datetime,
    policy: IntelligencePolicy = DEFAULT_POLICY,
    scanned: RfmCutPoints | None = None,
    snapshots: PopulationSnapshots | None = None,
) -> RfmScore:
    """Scored against the order system's population, or the gateway's own ``scanned`` one.

    With the runtime's ``snapshots`` the request scores with the snapshot in hand and
    never builds one (without, a test's: the answer's snapshot is built here).
    """
    await loaders.load_ahead(RFM_READS, [person.keys])  # one wait for both
    orders, aggregate = await orders_of(loaders, person), await rfm_cut_points(loaders)
    population = chosen_population(aggregate, scanned, policy.population_scan.mode)
    if snapshots is None:
        return rfm_scores(orders, population, now, policy.rfm_monetary)
    snapshot = await snapshots.snapshot(population)
    return rfm_scores(orders, population, now, policy.rfm_monetary, snapshot)


async def segment_of(
    loaders: CustomerLoaders,
    person: Person,
    now: datetime,
    policy: IntelligencePolicy = DEFAULT_POLICY,
    scanned: RfmCutPoints | None = None,
    snapshots: PopulationSnapshots | None = None,
) -> Segment:
    rfm = await rfm_of(loaders, person, now, policy, scanned, snapshots)
    return segment_for(rfm, policy.segment_rules)


async def health_of(
    loaders: CustomerLoaders,
    person: Person,
    now: datetime,
    policy: IntelligencePolicy = DEFAULT_POLICY,
) -> Health:
    """The light from tickets, invoices, mentions, visits, churn risk and profitability,
    its records fetched in one wait."""
    await loaders.load_ahead(HEALTH_READS, [person.keys])
    tickets, invoices = await tickets_of(loaders, person), await invoices_of(loaders, person)
    mentions, visits = await mentions_of(loaders, person), await visits_of(loaders, person)
    orders = await orders_of(loaders, person)
    signals = Signals(
        churn_risk(orders, tickets, mentions, now, policy),
        profitability(orders, tickets, now, policy),
    )
    return health_light(tickets, invoices, mentions, visits, now, signals)


PROFIT_READS: tuple[Ahead, ...] = ("orders", "tickets")
CHURN_READS: tuple[Ahead, ...] = ("orders", "tickets", "social_mentions")
OFFER_READS: tuple[Ahead, ...] = ("orders", "rfm_cut_points")


async def profitability_of(
    loaders: CustomerLoaders, person: Person, now: datetime, policy: IntelligencePolicy
) -> Profitability:
    await loaders.load_ahead(PROFIT_READS, [person.keys])
    orders, tickets = await orders_of(loaders, person), await tickets_of(loaders, person)
    return profitability(orders, tickets, now, policy)


async def churn_of(
    loaders: CustomerLoaders, person: Person, now: datetime, policy: IntelligencePolicy
) -> ChurnRisk:
    await loaders.load_ahead(CHURN_READS, [person.keys])
    orders, tickets = await orders_of(loaders, person), await tickets_of(loaders, person)
    mentions = await mentions_of(loaders, person)
    return churn_risk(orders, tickets, mentions, now, policy)


@dataclass(slots=True, frozen=True)
class LifetimeValue:
    expected_purchases: float
    expected_value: float
    horizon_months: int
    model_as_of: datetime
    model_fitted_at: datetime
    population: int


class ModelNotReady(Exception):
    """The lifetime-value model has not been fitted yet (it fits in the background)."""

    extensions: ClassVar[dict[str, str]] = {"code": "MODEL_NOT_READY"}


async def lifetime_value_of(
    loaders: CustomerLoaders, person: Person, now: datetime, intelligence: Intelligence
) -> LifetimeValue:
    model = intelligence.clv_models.current
    if model is None:
        raise ModelNotReady(
            "the lifetime-value model is not fitted yet: it fits in the background from the "
            "order system's population; try again shortly"
        )
    policy = intelligence.policy
    record = chosen_population(
        await rfm_cut_points(loaders), intelligence.scanned, policy.population_scan.mode
    )
    population = await intelligence.snapshots.snapshot(record)
    window = population.window_days if population is not None else None
    counted = count_orders(await orders_of(loaders, person), now, window)
    clv = intelligence.policy.clv
    if counted.order_count == 0 or counted.recency_days is None:
        # Not a customer in the model's window (a prospect, or lapsed before it): the
        # model says nothing about them, so nothing is expected.
        purchases, value = 0.0, 0.0
    else:
        history = history_of(
            counted.order_count,
            counted.recency_days,
            counted.tenure_days or 0,
            counted.total_spend,
        )
        purchases, value = customer_lifetime_value(
            model, history, clv.horizon_months, clv.monthly_discount_rate
        )
    if not (math.isfinite(purchases) and math.isfinite(value)):
        raise ModelNotReady("the fitted lifetime-value model gives no finite value here")
    return LifetimeValue(
        round(purchases, 3),
        round(value, 2),
        clv.horizon_months,
        model.as_of,
        model.fitted_at,
        model.customers,
    )


async def next_best_offer_of(
    loaders: CustomerLoaders, person: Person, now: datetime, intelligence: Intelligence
) -> OfferChoice | None:
    """The best offer by expected value; None when none may be made or none is worth making
    (an expected value of zero or less)."""
    policy = intelligence.policy
    store = intelligence.outcomes
    if store is not None:
        store.prefetch_tallies()  # the counts are read while the segment's records load
    segment = await segment_of(
        loaders, person, now, policy, intelligence.scanned, intelligence.snapshots
    )
    tallies = await store.tallies([segment.name]) if store is not None else []
    consent = person.primary.marketing_consent
    ranked = ranked_offers(segment.name, consent, tallies, policy)
    return ranked[0] if ranked and ranked[0].expected_value > 0 else None


async def record_offer_outcome(
    loaders: CustomerLoaders,
    person: Person,
    offer_id: str,
    outcome: str,
    now: datetime,
    intelligence: Intelligence,
) -> str:
    """Store the outcome against the customer's segment now; the segment's name is returned."""
    check_outcome(intelligence.policy, offer_id, outcome)
    store = intelligence.outcomes
    if store is None:
        raise StoreNotConfigured("no state store is configured for offer outcomes")
    segment = await segment_of(
        loaders, person, now, intelligence.policy, intelligence.scanned, intelligence.snapshots
    )
    await store.record(person.primary.id, offer_id, segment.name, outcome, now)
    return segment.name


class StoreNotConfigured(Exception):
    """Offer outcomes cannot be recorded: the gateway was started without a state store."""

    extensions: ClassVar[dict[str, str]] = {"code": "STATE_STORE_UNAVAILABLE"}
