"""Demo source systems: seeded, deliberately messy REST services.

They stand in for the CRM, order system, billing, support desk, web analytics,
social listening, weather provider, a second customer system (the sales
team's contact book), marketing automation, the sales pipeline and the
survey system that a real Customer 360 would call. The
gateway reaches them only over HTTP, exactly as it would reach a foreign system.
"""

from __future__ import annotations

SYSTEMS: tuple[str, ...] = (
    "crm",
    "orders",
    "billing",
    "support",
    "web",
    "social",
    "weather",
    "contacts",
    "marketing",
    "opportunities",
    "surveys",
)
"""Every demo system, in default-port order (crm 8101 … weather 8107, contacts 8108, …)."""

DEFAULT_BASE_PORT = 8101
