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
    evidence: list[str] = strawberry.field(
        description="Every piece of evidence, strongest first: the lookup, the link, or what "
        "two customer systems' records share (email, phone, name, nameSwapped, birthDate, "
        "address, postcode, crossReference)."
    )


@strawberry.type(
    description="Recency, frequency and monetary scores, 1 (lowest) to 5 (highest), by the rank "
    "rule 1 + floor(5·S/N): S customers of the population strictly worse on the measure, N "
    "the customers with a purchase in the window (ties share a score). No purchase in the "
    "window: 1 / 1 / 1. Cancelled orders, orders with a zero or negative total and orders "
    "dated in the future are not purchases (ignoredOrders counts the last two kinds)."
)
class Rfm:
    recency: int
    frequency: int
    monetary: int
    code: str = strawberry.field(description='The three scores as one label, e.g. "545".')
    recency_days: int | None = strawberry.field(
        description="Days since the last purchase (in the window, else ever; null: none)."
    )
    order_count: int = strawberry.field(description="Purchases in the window.")
    total_spend: float = strawberry.field(
        description="Kept spend in the window: totals less refunds (a refund capped at its order)."
    )
    average_spend: float = strawberry.field(description="totalSpend / orderCount (0 for none).")
    monetary_measure: str = strawberry.field(
        description='What the monetary score ranks: "total" or "average" (intelligence config).'
    )
    window_days: int | None = strawberry.field(
        description="The window the values cover (null: the source sent cut points only)."
    )
    population_size: int | None = strawberry.field(description="N, as of populationAsOf.")
    ignored_orders: int = strawberry.field(
        description="Orders not counted: a zero or negative total, or placed in the future."
    )
    population_as_of: datetime | None = strawberry.field(
        description="When the population the scores rank against was computed."
    )
    population_source: str | None = strawberry.field(
        description='Whose population: the order system\'s name (its aggregate endpoint) or "scan" '
        "(the gateway's own bounded scan of its customer list)."
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
