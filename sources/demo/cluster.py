"""Run the seven demo systems in the current event loop, each on its own port; write the ledger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType, TracebackType

from aiohttp import web

from sources.demo import (
    DEFAULT_BASE_PORT,
    SYSTEMS,
    billing,
    crm,
    orders,
    social,
    support,
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
}
DEFAULT_PORTS: dict[str, int] = {
    system: DEFAULT_BASE_PORT + offset for offset, system in enumerate(SYSTEMS)
}
SHUTDOWN_SECONDS = 1.0


@dataclass(slots=True)
class DemoCluster:
    """The running systems: `urls` maps each system to `http://host:port` (the real bound port).

    `dsns` maps each SQL system (the ledger) to its SQLAlchemy async URL.
    """

    urls: dict[str, str]
    world: DemoWorld
    services: dict[str, DemoService]
    _runners: list[web.AppRunner] = field(default_factory=list)
    dsns: dict[str, str] = field(default_factory=dict)
    _ledger: LedgerDatabase | None = None

    async def close(self) -> None:
        """Stop every system; requests hanging in `hang` mode are released first."""
        for service in self.services.values():
            service.release_hanging()
        runners, self._runners = self._runners, []
        for runner in reversed(runners):
            await runner.cleanup()
        ledger, self._ledger = self._ledger, None
        if ledger is not None:
            await ledger.close()

    async def __aenter__(self) -> DemoCluster:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


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
    """Generate the world, write the ledger and start all seven systems; port 0 means any free port.

    Systems missing from `ports` get their default port (crm 8101 … weather 8107).
    The ledger goes to `ledger_dsn`, or a temporary SQLite file removed on close.
    If one system cannot start, the ones already started are stopped again.
    """
    world = generate(seed=seed, customers=customers, today=today)
    chosen = {**DEFAULT_PORTS, **(ports or {})}
    knobs = Knobs().updated({"latency_ms": latency_ms, "failure_rate": failure_rate})
    cluster = DemoCluster(urls={}, world=world, services={})
    try:
        cluster._ledger = await write_ledger(world.ledger_invoices, ledger_dsn)
        cluster.dsns[LEDGER] = cluster._ledger.dsn
        for system in SYSTEMS:
            create: Callable[..., DemoService] = SYSTEM_MODULES[system].create_service
            service = create(world, knobs=Knobs(knobs.latency_ms, knobs.failure_rate))
            runner = web.AppRunner(
                service.app,
                access_log=None,
                handler_cancellation=True,
                shutdown_timeout=SHUTDOWN_SECONDS,
            )
            await runner.setup()
            cluster._runners.append(runner)
            await web.TCPSite(runner, host, chosen[system]).start()
            bound_port = runner.addresses[0][1]
            cluster.services[system] = service
            cluster.urls[system] = f"http://{_url_host(host)}:{bound_port}"
    except BaseException:
        await cluster.close()
        raise
    return cluster


def _url_host(host: str) -> str:
    """A host usable in a URL: IPv6 literals need brackets, wildcard binds are reached locally."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
