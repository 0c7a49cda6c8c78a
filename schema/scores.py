"""GraphQL types of what the Process layer derives: identities, RFM, segment, health."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.process.health import Light

HealthLight = strawberry.enum(Light, name="HealthLight", description="Red, yellow or green.")


@strawberry.type(description="A record in some system that is this person, and why we think so.")
class Identity:
    system: str = strawberry.field(description="The source system, as the source config names it.")
    record_id: strawberry.ID = strawberry.field(description="The person's id in that system.")
    matched_on: str = strawberry.field(
        description="Why: the lookup that found a customer-system record (id, email, phone, "
        'link:<system>), or the field holding a linked id (e.g. "crm.order_customer_id").'
    )
    confidence: float = strawberry.field(description="0 to 1; 1.0 for ids a source holds.")


@strawberry.type(description="Recency, frequency and monetary scores, 1 (lowest) to 5 (highest).")
class Rfm:
    recency: int
    frequency: int
    monetary: int
    code: str = strawberry.field(description='The three scores as one label, e.g. "545".')
    recency_days: int | None = strawberry.field(description="Days since the last order.")
    order_count: int
    total_spend: float
    population_as_of: datetime | None = strawberry.field(
        description="When the population's quintile cut points were computed."
    )


@strawberry.type(description="The customer's segment, from the RFM grid.")
class Segment:
    name: str
    description: str


@strawberry.type(description="One reason behind the health light.")
class HealthReason:
    code: str
    light: HealthLight  # type: ignore[valid-type]
    message: str


@strawberry.type(description="Red / yellow / green, with every reason that set it.")
class Health:
    light: HealthLight  # type: ignore[valid-type]
    reasons: list[HealthReason]
