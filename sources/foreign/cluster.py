"""Run the four foreign systems in the current event loop, each on its own port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType, TracebackType

from aiohttp import web

from sources.demo.cluster import SHUTDOWN_SECONDS
from sources.demo.service import Knobs
from sources.foreign import DEFAULT_BASE_PORT, SYSTEMS, billing, crm, orders, support
from sources.foreign.service import ForeignService
from sources.foreign.world import ForeignWorld, generate

SYSTEM_MODULES: dict[str, ModuleType] = {
    "crm": crm,
    "orders": orders,
    "billing": billing,
    "support": support,
}
DEFAULT_PORTS: dict[str, int] = {
    system: DEFAULT_BASE_PORT + offset for offset, system in enumerate(SYSTEMS)
}


@dataclass(slots=True)
class ForeignCluster:
    """The running systems: `urls` maps each system to `http://host:port` (the bound port)."""

    urls: dict[str, str]
    world: ForeignWorld
    services: dict[str, ForeignService]
    _runners: list[web.AppRunner] = field(default_factory=list)

    async def close(self) -> None:
        """Stop every system; requests hanging in `hang` mode are released first."""
        for service in self.services.values():
            service.release_hanging()
        runners, self._runners = self._runners, []
        for runner in reversed(runners):
            await runner.cleanup()

    async def __aenter__(self) -> ForeignCluster:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


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
    cluster = ForeignCluster(urls={}, world=world, services={})
    try:
        for system in SYSTEMS:
            create: Callable[..., ForeignService] = SYSTEM_MODULES[system].create_service
            service = create(
                world,
                knobs=Knobs().updated({"latency_ms": latency_ms, "failure_rate": failure_rate}),
            )
            runner = web.AppRunner(
                service.app,
                access_log=None,
                handler_cancellation=True,
                shutdown_timeout=SHUTDOWN_SECONDS,
            )
            await runner.setup()
            cluster._runners.append(runner)
            await web.TCPSite(runner, host, chosen[system]).start()
            cluster.services[system] = service
            bound = runner.addresses[0][1]
            url_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
            cluster.urls[system] = f"http://{url_host}:{bound}"
    except BaseException:
        await cluster.close()
        raise
    return cluster
