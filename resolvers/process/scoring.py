"""Scores over a person's records from several systems: RFM, segment, health light."""

from __future__ import annotations

from datetime import datetime

from resolvers.process.facts import (
    invoices_of,
    mentions_of,
    orders_of,
    rfm_cut_points,
    tickets_of,
    visits_of,
)
from resolvers.process.health import Health, health_light
from resolvers.process.identity import Person
from resolvers.process.policy import DEFAULT_POLICY, IntelligencePolicy
from resolvers.process.rfm import RfmScore, rfm_scores
from resolvers.process.segments import Segment, segment_for
from resolvers.system.customer_loaders import Ahead, CustomerLoaders

RFM_READS: tuple[Ahead, ...] = ("orders", "rfm_cut_points")
"""The named loaders RFM scores (and the segment) are made of."""

HEALTH_READS: tuple[Ahead, ...] = ("tickets", "invoices", "social_mentions", "web_visits")
"""The named loaders the health light is made of."""


async def rfm_of(
    loaders: CustomerLoaders,
    person: Person,
    now: datetime,
    policy: IntelligencePolicy = DEFAULT_POLICY,
) -> RfmScore:
    await loaders.load_ahead(RFM_READS, [person.keys])  # one wait for both
    orders, cut_points = await orders_of(loaders, person), await rfm_cut_points(loaders)
    return rfm_scores(orders, cut_points, now, policy.rfm_monetary)


async def segment_of(
    loaders: CustomerLoaders,
    person: Person,
    now: datetime,
    policy: IntelligencePolicy = DEFAULT_POLICY,
) -> Segment:
    return segment_for(await rfm_of(loaders, person, now, policy), policy.segment_rules)


async def health_of(loaders: CustomerLoaders, person: Person, now: datetime) -> Health:
    """The light from tickets, invoices, mentions and visits, fetched in one wait."""
    await loaders.load_ahead(HEALTH_READS, [person.keys])
    tickets, invoices = await tickets_of(loaders, person), await invoices_of(loaders, person)
    mentions, visits = await mentions_of(loaders, person), await visits_of(loaders, person)
    return health_light(tickets, invoices, mentions, visits, now)
