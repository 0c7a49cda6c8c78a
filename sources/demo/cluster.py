"""Run the eleven demo systems in the current event loop, each on its own port; write the ledger.

`ServiceCluster` is the part both demo worlds share (sources/foreign/cluster.py
too): services started on ports, stopped again on failure or close.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType, TracebackType
from typing import Self

from aiohttp import web

from sources.demo import (
    DEFAULT_BASE_PORT,
    SYSTEMS,
    billing,
    contacts,
    crm,
    marketing,
    opportunities,
    orders,
    social,
    support,
    surveys,
    weather,
)
from sources.demo import web as web_analytics
from sources.demo.data import DemoWorld, generate
from sources.demo.ledger import SYSTEM as LEDGER
from sources.demo.ledger import LedgerDatabase, write_ledger
from sources.demo.service import DemoService, Knobs

SYSTEM_MODULES: dict[str, ModuleType] = {
    "crm": crm,
    "orders": orders,
    "billing": billing,
    "support": support,
    "web": web_analytics,
    "social": social,
    "weather": weather,
    "contacts": contacts,
    "marketing": marketing,
    "opportunities": opportunities,
    "surveys": surveys,
}
SHUTDOWN_SECONDS = 1.0


def consecutive_ports(systems: Iterable[str], base_port: int) -> dict[str, int]:
    """`base_port` for the first system, the next port for the next one, in order."""
    return {system: base_port + offset for offset, system in enumerate(systems)}


DEFAULT_PORTS: dict[str, int] = consecutive_ports(SYSTEMS, DEFAULT_BASE_PORT)


@dataclass(slots=True, kw_only=True)
class ServiceCluster:
    """Demo services, each listening on its own port in the current event loop.

    What callers may rely on: `urls` maps each started system to
    `http://host:port` with the port actually bound (a wildcard bind is reached
    on loopback, an IPv6 literal is bracketed), `services` maps it to its
    DemoService, both in start order. `close()` releases requests hanging in
    `hang` mode, then stops every server, last started first; calling it again
    does nothing. `async with` closes on the way out.
    """

    urls: dict[str, str] = field(default_factory=dict)
    services: dict[str, DemoService] = field(default_factory=dict)
    _runners: list[web.AppRunner] = field(default_factory=list)

    async def start(
        self,
        systems: Iterable[str],
        create: Callable[[str], DemoService],
        *,
        host: str,
        ports: Mapping[str, int],
    ) -> None:
        """Create each system's service and serve it on `host` and its port (0: any free port).

        If one cannot start (a port taken), the whole cluster is closed (what a
        subclass's `close` holds too) and the error propagates.
        """
        try:
            for system in systems:
                service = create(system)
                runner = web.AppRunner(
                    service.app,
                    access_log=None,
                    handler_cancellation=True,
                    shutdown_timeout=SHUTDOWN_SECONDS,
                )
                await runner.setup()
                self._runners.append(runner)
                await web.TCPSite(runner, host, ports[system]).start()
                bound_port = runner.addresses[0][1]
                self.services[system] = service
                self.urls[system] = f"http://{_url_host(host)}:{bound_port}"
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Stop every system; requests hanging in `hang` mode are released first."""
        for service in self.services.values():
            service.release_hanging()
        runners, self._runners = self._runners, []
        for runner in reversed(runners):
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


@dataclass(slots=True, kw_only=True)
class DemoCluster(ServiceCluster):
    """The eleven running systems and the world they serve.

    `dsns` maps each SQL system (the ledger) to its SQLAlchemy async URL.
    """

    world: DemoWorld
    dsns: dict[str, str] = field(default_factory=dict)
    _ledger: LedgerDatabase | None = None

    async def close(self) -> None:
        """Stop every system, then close the ledger database."""
        # Named, not super(): zero-argument super() fails in slotted dataclasses on 3.11.
        await ServiceCluster.close(self)
        ledger, self._ledger = self._ledger, None
        if ledger is not None:
            await ledger.close()


async def start_demo_sources(
    *,
    host: str = "127.0.0.1",
    ports: dict[str, int] | None = None,
    latency_ms: float = 0,
    failure_rate: float = 0.0,
    seed: int = 360,
    customers: int = 1000,
    today: date | None = None,
    ledger_dsn: str | None = None,
) -> DemoCluster:
    """Generate the world, write the ledger and start every system; port 0 means any free port.

    Systems missing from `ports` get their default port (crm 8101 … weather 8107).
    The ledger goes to `ledger_dsn`, or a temporary SQLite file removed on close.
    If one system cannot start, the ones already started are stopped again.
    """
    world = generate(seed=seed, customers=customers, today=today)
    chosen = {**DEFAULT_PORTS, **(ports or {})}
    knobs = Knobs().updated({"latency_ms": latency_ms, "failure_rate": failure_rate})

    def create(system: str) -> DemoService:
        create_service: Callable[..., DemoService] = SYSTEM_MODULES[system].create_service
        return create_service(world, knobs=Knobs(knobs.latency_ms, knobs.failure_rate))

    cluster = DemoCluster(world=world)
    cluster._ledger = await write_ledger(world.ledger_invoices, ledger_dsn)
    cluster.dsns[LEDGER] = cluster._ledger.dsn
    await cluster.start(SYSTEMS, create, host=host, ports=chosen)
    return cluster


def _url_host(host: str) -> str:
    """A host usable in a URL: IPv6 literals need brackets, wildcard binds are reached locally."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
