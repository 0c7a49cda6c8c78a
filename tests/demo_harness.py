"""Test harness: the demo sources in a child process and the gateway on a real socket.

Both speak real HTTP on 127.0.0.1, exactly as users meet them; tests read the
demo sources' request counters and turn their latency and failure knobs.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import uvicorn

from gateway.app import create_app
from gateway.settings import Settings
from sources.demo import SYSTEMS
from sources.demo.request_log import LoggedRequest, from_json

ROOT = Path(__file__).resolve().parent.parent


def start_demo_process(*extra: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """``python -m sources.demo --ephemeral`` and where it says its systems are once ready.

    One map by source name, as ``Settings.source_urls`` takes it: the REST
    systems' base URLs and the SQL ledger's DSN.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "sources.demo", "--ephemeral", "--exit-with-parent", *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise RuntimeError("demo sources did not start")
    ready = json.loads(line)
    return proc, {**ready["urls"], **ready.get("dsns", {})}


@dataclass
class DemoSources:
    urls: dict[str, str]

    async def _call(self, method: str, system: str, path: str, body: Any = None) -> Any:
        async with aiohttp.ClientSession() as session:
            async with session.request(method, self.urls[system] + path, json=body) as resp:
                resp.raise_for_status()
                return await resp.json()

    async def stats(self) -> dict[str, int]:
        """Business requests served per system since the last reset."""
        return {s: (await self._call("GET", s, "/_demo/stats"))["requests"] for s in SYSTEMS}

    async def log(self) -> list[LoggedRequest]:
        """Every system's business requests since the last reset, in the order they arrived
        (``sources.demo.request_log.rounds`` counts their round trips)."""
        entries = [e for s in SYSTEMS for e in from_json(await self._call("GET", s, "/_demo/log"))]
        return sorted(entries, key=lambda e: e.arrived)

    async def reset(self) -> None:
        for system in SYSTEMS:
            await self._call("POST", system, "/_demo/reset")

    async def knobs(self, system: str, **knobs: Any) -> None:
        await self._call("POST", system, "/_demo/knobs", knobs)

    async def all_knobs(self, **knobs: Any) -> None:
        for system in SYSTEMS:
            await self.knobs(system, **knobs)


class GatewayServer:
    """The real gateway app under uvicorn, in a thread, on an ephemeral port."""

    def __init__(self, settings: Settings) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings)  # tests may read its state (e.g. connector counters)
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})

    def __enter__(self) -> GatewayServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("gateway did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


async def graphql(
    url: str, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    """POST a query to the gateway; returns the status and the decoded JSON body."""
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url + "/graphql", json={"query": query, "variables": variables or {}}, **kwargs
        ) as resp:
            return resp.status, await resp.json(content_type=None)
