"""A second demo world: four foreign systems that share no id with each other or the demo's.

Only the CRM knows that its contact ``cx-00017`` is ``oc-00017…`` in the order
system, ``BA-…`` in billing and ``u…`` on the support desk; the other systems
know nothing but their own ids. The gateway reaches them through
``sources/foreign/sources.yaml`` alone (links, key formats, grouped answers,
cursor paging, repeated parameters, OAuth2 client credentials).
"""

from __future__ import annotations

SYSTEMS: tuple[str, ...] = ("crm", "orders", "billing", "support")
DEFAULT_BASE_PORT = 8201
