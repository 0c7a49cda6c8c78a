"""Next best offer: the offer worth most for this customer, learnt from recorded outcomes.

An offer's acceptance rate in a segment is (accepted + prior_rate · w) /
(accepted + declined + w), the configured prior counting for ``prior_weight``
(w) outcomes, so a new offer starts at its prior and moves with what customers
of that segment actually did. Expected value = rate × value − cost; the best
offer is proposed only when it is worth more than nothing. Offers
limited to other segments are skipped; without marketing consent (a CRM field;
unknown counts as no) only offers that are not marketing remain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from resolvers.process.errors import InvalidLookup
from resolvers.process.policy import IntelligencePolicy, Offer

OUTCOMES = ("ACCEPTED", "DECLINED")


class OfferTally(NamedTuple):
    """Recorded outcomes of one offer among one segment's customers (a store's row as is)."""

    segment: str
    offer_id: str
    accepted: int
    declined: int


class UnknownOffer(InvalidLookup):
    """An outcome for an offer id the catalog does not have (BAD_USER_INPUT)."""

    def __init__(self, offer_id: str, known: list[str]) -> None:
        shown = offer_id if len(offer_id) <= 64 else offer_id[:61] + "..."
        ValueError.__init__(
            self, f"no offer '{shown}' in the offers catalog (known: {', '.join(known)})"
        )
        self.kind = "offerId"


@dataclass(slots=True, frozen=True)
class OfferChoice:
    offer: Offer
    segment: str
    acceptance_rate: float
    expected_value: float
    accepted: int
    declined: int
    reason: str


def acceptance_rate(offer: Offer, accepted: int, declined: int, weight: float) -> float:
    return (accepted + offer.prior_rate * weight) / (accepted + declined + weight)


def ranked_offers(
    segment: str,
    consent: bool | None,
    tallies: Iterable[tuple[str, str, int, int]],
    policy: IntelligencePolicy,
) -> list[OfferChoice]:
    """Every offer this customer may get, best expected value first."""
    counts = {(segment, offer): (a, d) for segment, offer, a, d in tallies}
    choices = []
    for offer in policy.offers:
        if offer.segments and segment not in offer.segments:
            continue
        if offer.marketing and consent is not True:
            continue
        accepted, declined = counts.get((segment, offer.id), (0, 0))
        rate = acceptance_rate(offer, accepted, declined, policy.prior_weight)
        value = rate * offer.value - offer.cost
        reason = (
            f"{rate:.0%} of '{segment}' customers accept it ({accepted} of {accepted + declined} "
            f"recorded, prior {offer.prior_rate:.0%}); worth {offer.value:.2f}, "
            f"costs {offer.cost:.2f}"
        )
        choices.append(
            OfferChoice(offer, segment, round(rate, 4), round(value, 2), accepted, declined, reason)
        )
    choices.sort(key=lambda c: (-c.expected_value, c.offer.id))
    return choices


def check_outcome(policy: IntelligencePolicy, offer_id: str, outcome: str) -> Offer:
    """The offer an outcome is recorded for; an unknown id is the caller's mistake."""
    offer = policy.offer(offer_id)
    if offer is None:
        raise UnknownOffer(offer_id, [o.id for o in policy.offers])
    if outcome not in OUTCOMES:
        raise InvalidLookup("outcome", outcome)
    return offer
