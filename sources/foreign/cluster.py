"""Run the four foreign systems in the current event loop, each on its own port.

Starting and stopping them is the demo's (`ServiceCluster` in sources/demo/cluster.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import ModuleType

from sources.demo.cluster import ServiceCluster, consecutive_ports
from sources.demo.service import DemoService, Knobs
from sources.foreign import DEFAULT_BASE_PORT, SYSTEMS, billing, crm, orders, support
from sources.foreign.world import ForeignWorld, generate

SYSTEM_MODULES: dict[str, ModuleType] = {
    "crm": crm,
    "orders": orders,
    "billing": billing,
    "support": support,
}
DEFAULT_PORTS: dict[str, int] = consecutive_ports(SYSTEMS, DEFAULT_BASE_PORT)


@dataclass(slots=True, kw_only=True)
class ForeignCluster(ServiceCluster):
    """The four running systems and the world they serve."""

    world: ForeignWorld


async def start_foreign_sources(
    *,
    host: str = "127.0.0.1",
    ports: dict[str, int] | None = None,
    latency_ms: float = 0.0,
    failure_rate: float = 0.0,
    seed: int = 917,
    customers: int = 200,
    today: date | None = None,
) -> ForeignCluster:
    """Generate the world and start the four systems; port 0 means any free port.

    Systems missing from `ports` get their default (crm 8201 … support 8204).
    If one system cannot start, the ones already started are stopped again.
    """
    world = generate(seed=seed, customers=customers, today=today)
    chosen = {**DEFAULT_PORTS, **(ports or {})}

    def create(system: str) -> DemoService:
        create_service: Callable[..., DemoService] = SYSTEM_MODULES[system].create_service
        knobs = Knobs().updated({"latency_ms": latency_ms, "failure_rate": failure_rate})
        return create_service(world, knobs=knobs)

    cluster = ForeignCluster(world=world)
    await cluster.start(SYSTEMS, create, host=host, ports=chosen)
    return cluster
