"""What customer intelligence needs beyond the loaders: its policy, its state, its models.

One per gateway process (made at start, handed to every request's context):
the policy (``C360_INTELLIGENCE_FILE``), the store of recorded offer outcomes
(the gateway's own data), and the lifetime-value models fitted in the
background. A context made without one (a test's) gets the defaults and no
store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from resolvers.process.clv import ClvModels
from resolvers.process.policy import DEFAULT_POLICY, IntelligencePolicy
from sources.state_store import OfferOutcomeStore


@dataclass(slots=True)
class Intelligence:
    policy: IntelligencePolicy = DEFAULT_POLICY
    outcomes: OfferOutcomeStore | None = None
    clv_models: ClvModels = field(default_factory=ClvModels)
