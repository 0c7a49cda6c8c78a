"""GraphQL types of customer intelligence: profitability, lifetime value, churn, offers."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from resolvers.process.offers import OfferChoice


@strawberry.type(description="Tickets of one channel and what serving them cost.")
class TicketCost:
    channel: str
    tickets: int
    cost: float


@strawberry.type(
    description="Over every order and ticket on record: revenue less cost of goods, discounts, "
    "refunds, shipping and cost to serve (tickets at the configured unit cost per channel). "
    "Purchases follow the RFM rules; a "
    "refund larger than its order counts as the order's total (said in notes)."
)
class Profitability:
    revenue: float = strawberry.field(description="List value of purchases (total + discount).")
    discounts: float
    refunds: float
    cost_of_goods: float = strawberry.field(
        description="Of purchases not fully refunded (returned goods are restocked)."
    )
    shipping: float
    cost_to_serve: float
    profit: float
    tier: str = strawberry.field(
        description="The first configured tier the profit reaches; NEGATIVE: costs more than "
        "it brings."
    )
    tickets: list[TicketCost]
    notes: list[str] = strawberry.field(description="Source data the figures had to correct.")


@strawberry.type(description="One signal behind the churn risk.")
class ChurnReason:
    code: str
    weight: float
    message: str


@strawberry.type(description="Churn risk 0..1 with its reasons (LOW, MEDIUM, HIGH).")
class ChurnRisk:
    score: float
    level: str
    reasons: list[ChurnReason]
    days_since_last_purchase: int | None
    usual_gap_days: float | None = strawberry.field(
        description="Median days between this customer's purchases (null: one purchase or none)."
    )


@strawberry.type(
    description="Expected purchases and discounted spend over the horizon, from BG/NBD and "
    "Gamma-Gamma fitted in the background on the order system's population; 0 for a customer "
    "with no purchase in the RFM window (the model knows nothing of them)."
)
class LifetimeValue:
    expected_purchases: float
    expected_value: float
    horizon_months: int
    model_as_of: datetime = strawberry.field(description="As-of time of the fitted population.")
    model_fitted_at: datetime
    population: int = strawberry.field(description="Customers the model was fitted on.")


@strawberry.type(description="The offer with the highest expected value for this customer.")
class NextBestOffer:
    choice: strawberry.Private[OfferChoice]

    @strawberry.field
    def offer_id(self) -> str:
        return self.choice.offer.id

    @strawberry.field
    def name(self) -> str:
        return self.choice.offer.name

    @strawberry.field(description="Needs marketing consent (a service gesture does not).")
    def marketing(self) -> bool:
        return self.choice.offer.marketing

    @strawberry.field(description="The segment whose recorded outcomes set the rate.")
    def segment(self) -> str:
        return self.choice.segment

    @strawberry.field(description="(accepted + prior · w) / (recorded + w).")
    def acceptance_rate(self) -> float:
        return self.choice.acceptance_rate

    @strawberry.field(description="acceptanceRate × value − cost.")
    def expected_value(self) -> float:
        return self.choice.expected_value

    @strawberry.field
    def accepted(self) -> int:
        return self.choice.accepted

    @strawberry.field
    def declined(self) -> int:
        return self.choice.declined

    @strawberry.field
    def reason(self) -> str:
        return self.choice.reason


@strawberry.enum(description="What the customer did with an offer.")
class OfferOutcome(Enum):
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


@strawberry.type(description="An outcome stored for the acceptance rates to learn from.")
class RecordedOfferOutcome:
    customer_id: strawberry.ID
    offer_id: str
    outcome: OfferOutcome
    segment: str = strawberry.field(description="The customer's segment when it was recorded.")
