"""The root ``Mutation``: what the gateway itself records (offer outcomes)."""

from __future__ import annotations

import strawberry

from resolvers.process import scoring
from resolvers.process.identity import find_person
from resolvers.process.offers import check_outcome
from schema.context import Info
from schema.intelligence import OfferOutcome, RecordedOfferOutcome


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Record that a customer accepted or declined an offer, so the acceptance "
        "rates of the customer's segment learn. Stored durably (SQLite by default, PostgreSQL "
        "with C360_STATE_DSN). An unknown offer id is a BAD_USER_INPUT error; an unknown "
        "customer answers null."
    )
    async def record_offer_outcome(
        self, info: Info, customer_id: strawberry.ID, offer_id: str, outcome: OfferOutcome
    ) -> RecordedOfferOutcome | None:
        ctx = info.context
        check_outcome(ctx.intelligence.policy, offer_id, outcome.value)
        person = await find_person(ctx.customer_loaders, "id", str(customer_id))
        if person is None:
            return None
        segment = await scoring.record_offer_outcome(
            ctx.customer_loaders, person, offer_id, outcome.value, ctx.now, ctx.intelligence
        )
        return RecordedOfferOutcome(
            customer_id=strawberry.ID(person.primary.id),
            offer_id=offer_id,
            outcome=outcome,
            segment=segment,
        )
