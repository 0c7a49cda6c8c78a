"""A first customer segment, read off the RFM scores (the classic RFM segment grid)."""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.process.rfm import RfmScore


@dataclass(slots=True, frozen=True)
class Segment:
    name: str
    description: str


PROSPECT = Segment("Prospect", "No purchases yet.")
CHAMPIONS = Segment("Champions", "Bought recently, buy often and spend the most.")
CANT_LOSE = Segment("Can't lose them", "Used to buy often and spend a lot, but not lately.")
LOYAL = Segment("Loyal", "Buy regularly; responsive to loyalty offers.")
AT_RISK = Segment("At risk", "Bought often, but a long time ago.")
NEW = Segment("New customer", "First purchase was recent.")
POTENTIAL = Segment("Potential loyalist", "Recent customers with a few orders.")
NEEDS_ATTENTION = Segment("Needs attention", "Middling recency and frequency.")
HIBERNATING = Segment("Hibernating", "Few, small and long-ago purchases.")


def segment_for(rfm: RfmScore) -> Segment:
    """The first rule that matches, most specific first."""
    r, f, m = rfm.recency, rfm.frequency, rfm.monetary
    if rfm.order_count == 0:
        return PROSPECT
    if r >= 4 and f >= 4 and m >= 4:
        return CHAMPIONS
    if r <= 2 and f >= 4 and m >= 4:
        return CANT_LOSE
    if r >= 3 and f >= 4:
        return LOYAL
    if r <= 2 and f >= 3:
        return AT_RISK
    if r >= 4 and f <= 1:
        return NEW
    if r >= 4:
        return POTENTIAL
    if r == 3:
        return NEEDS_ATTENTION
    return HIBERNATING
