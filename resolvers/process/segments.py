"""Named customer segments read off the RFM scores: the rule table, in one readable place.

The first row that matches wins. ``applies_to`` sets two rows apart that no
score can reach: customers who never bought (``never_ordered``) and those whose
purchases all lie before the RFM window (``lapsed``). The default table below is
the classic RFM segment map; the ``segments:`` list of the intelligence config
(``C360_INTELLIGENCE_FILE``, see ``policy.py``) replaces it whole, and is
checked at start to name every one of the 125 score codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Literal, Protocol

AppliesTo = Literal["scored", "never_ordered", "lapsed"]


@dataclass(slots=True, frozen=True)
class Segment:
    name: str
    description: str


@dataclass(slots=True, frozen=True)
class SegmentRule:
    """Scores within each inclusive range (1..5) make the segment ``name``."""

    name: str
    description: str
    recency: tuple[int, int] = (1, 5)
    frequency: tuple[int, int] = (1, 5)
    monetary: tuple[int, int] = (1, 5)
    applies_to: AppliesTo = "scored"

    def matches(self, r: int, f: int, m: int) -> bool:
        return (
            self.recency[0] <= r <= self.recency[1]
            and self.frequency[0] <= f <= self.frequency[1]
            and self.monetary[0] <= m <= self.monetary[1]
        )

    @property
    def segment(self) -> Segment:
        return Segment(self.name, self.description)


ANY = (1, 5)
DESCRIPTIONS = {
    "Prospect": "No purchases yet.",
    "Lapsed": "Bought before, but nothing within the RFM window.",
    "Champions": "Bought recently, buy often and spend the most.",
    "Can't lose them": "Used to buy often and spend a lot, but not lately.",
    "Loyal": "Buy regularly; responsive to loyalty offers.",
    "At risk": "Bought often, but a long time ago.",
    "New customer": "First purchase was recent.",
    "Potential loyalist": "Recent customers with a few orders.",
    "Needs attention": "Middling recency and frequency.",
    "Hibernating": "Few, small and long-ago purchases.",
    "Lost": "Bought once or twice, long ago.",
}


def _rule(
    name: str,
    r: tuple[int, int],
    f: tuple[int, int],
    m: tuple[int, int],
    applies_to: AppliesTo = "scored",
) -> SegmentRule:
    return SegmentRule(name, DESCRIPTIONS[name], r, f, m, applies_to)


# fmt: off
DEFAULT_RULES: tuple[SegmentRule, ...] = (
    #      name                  recency  frequency  monetary  applies to
    _rule("Prospect",           ANY,     ANY,       ANY,      "never_ordered"),
    _rule("Lapsed",             ANY,     ANY,       ANY,      "lapsed"),
    _rule("Champions",          (4, 5),  (4, 5),    (4, 5)),
    _rule("Can't lose them",    (1, 2),  (4, 5),    (4, 5)),
    _rule("Loyal",              (3, 5),  (4, 5),    ANY),
    _rule("At risk",            (1, 2),  (3, 5),    ANY),
    _rule("New customer",       (4, 5),  (1, 1),    ANY),
    _rule("Potential loyalist", (4, 5),  (2, 3),    ANY),
    _rule("Needs attention",    (3, 3),  (1, 3),    ANY),
    _rule("Hibernating",        (2, 2),  (1, 2),    ANY),
    _rule("Lost",               (1, 1),  (1, 2),    ANY),
)
# fmt: on

UNSEGMENTED = Segment("Unsegmented", "No rule of the segment table matches.")


class Scored(Protocol):
    """What a segment is read from (an ``RfmScore``, or a population row's scores)."""

    @property
    def recency(self) -> int: ...
    @property
    def frequency(self) -> int: ...
    @property
    def monetary(self) -> int: ...
    @property
    def order_count(self) -> int: ...
    @property
    def ever_ordered(self) -> bool: ...


def segment_for(rfm: Scored, rules: tuple[SegmentRule, ...] = DEFAULT_RULES) -> Segment:
    """The first rule that matches, in table order."""
    if rfm.order_count == 0:
        wanted: AppliesTo = "lapsed" if rfm.ever_ordered else "never_ordered"
        for rule in rules:
            if rule.applies_to == wanted:
                return rule.segment
        return UNSEGMENTED
    return segment_of_scores(rfm.recency, rfm.frequency, rfm.monetary, rules)


def segment_of_scores(r: int, f: int, m: int, rules: tuple[SegmentRule, ...]) -> Segment:
    for rule in rules:
        if rule.applies_to == "scored" and rule.matches(r, f, m):
            return rule.segment
    return UNSEGMENTED


def uncovered_codes(rules: tuple[SegmentRule, ...]) -> list[str]:
    """The score codes (``"153"``) no scored rule matches: a table must leave none."""
    return [
        f"{r}{f}{m}"
        for r, f, m in product(range(1, 6), repeat=3)
        if segment_of_scores(r, f, m, rules) is UNSEGMENTED
    ]
