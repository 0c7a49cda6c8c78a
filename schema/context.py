"""What every resolver receives: the request's loaders, clock, deadline and caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import strawberry

from resolvers.process.intelligence import Intelligence
from resolvers.system.customer_loaders import CustomerLoaders
from resolvers.system.loaders import SystemLoaders


@dataclass(slots=True)
class Context:
    loaders: SystemLoaders
    now: datetime
    request_id: str
    role: str = "anonymous"
    request: Any = None
    response: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    intelligence: Intelligence = field(default_factory=Intelligence)
    """The intelligence policy, the offer-outcome store and the fitted models (one per process)."""
    customer_loaders: CustomerLoaders = field(init=False)
    """The named loaders (``OrdersByCustomerLoader``, ...) over ``loaders``: what resolvers use."""

    def __post_init__(self) -> None:
        self.customer_loaders = CustomerLoaders.over(self.loaders)


Info = strawberry.Info[Context, None]
