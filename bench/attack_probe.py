"""The attack scenario's probe: ``{ __typename }`` against the gateway, from a process of its own.

``python -m bench.attack_probe URL`` (the gateway's base URL). The scenario
starts it once and drives it over its standard input and output, one line each
way:

- it writes ``{"ready": true}`` once it has had a first answer;
- ``start``: it sends ``{ __typename }`` every ``PROBE_EVERY_S`` (the next one
  when the last is answered and that pause is over);
- ``stop``: it stops and writes ``{"latencies_ms": [...], "failed": n}`` for the
  requests since ``start`` (a failed one is a non-200 or a connection error:
  its time is not among the latencies);
- ``stop`` with no ``start`` before it answers no latencies;
- end of input: it exits.

``ProbeProcess`` starts it and speaks this protocol for the scenario.

The probe does nothing else, so that its latencies are the gateway's: in the
scenario's own process it shared an event loop with the attackers, whose
answers (8 x 7 MB read and parsed) and the sick source it used to serve stalled
the probe, not the gateway.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp

from bench.processes import DRIVER_CORE, PYTHON, ROOT, pinned

PROBE_EVERY_S = 0.01
TIMEOUT = aiohttp.ClientTimeout(total=60)
PROBE = {"query": "{ __typename }"}


class Probe:
    """Latencies of ``{ __typename }`` since the last ``start``."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url.rstrip("/") + "/graphql"
        self.latencies_ms: list[float] = []
        self.failed = 0

    async def once(self) -> None:
        started = time.perf_counter()
        try:
            async with self.session.post(self.url, json=PROBE) as resp:
                await resp.read()
                ok = resp.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        if ok:
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
        else:
            self.failed += 1

    async def run(self, stop: asyncio.Event) -> None:
        """Probe until ``stop``, at least once (a stop read with the start is still a round)."""
        self.latencies_ms, self.failed = [], 0
        await self.once()
        while not stop.is_set():
            await asyncio.sleep(PROBE_EVERY_S)
            await self.once()


def say(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def serve(url: str) -> None:
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        probe = Probe(session, url)
        for _ in range(20):  # a connection to reuse, and the gateway's code paths warm
            await probe.once()
        say({"ready": True})
        stop = asyncio.Event()
        probing: asyncio.Task[None] | None = None
        while raw := await commands.readline():
            line = raw.decode().strip()
            if line == "start" and probing is None:
                stop.clear()
                probing = asyncio.create_task(probe.run(stop))
            elif line == "stop":
                if probing is None:  # nothing since the last stop
                    say({"latencies_ms": [], "failed": 0})
                    continue
                stop.set()
                await probing
                probing = None
                say({"latencies_ms": probe.latencies_ms, "failed": probe.failed})
        if probing is not None:
            stop.set()
            await probing


class ProbeProcess:
    """``bench.attack_probe`` on the driver's core, started once, probing between start and stop."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, url: str) -> ProbeProcess:
        command = pinned([PYTHON, "-m", "bench.attack_probe", url], DRIVER_CORE)
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=ROOT
        )
        probe = cls(process)
        ready = await probe._line()
        if not ready.get("ready"):
            raise RuntimeError(f"the probe did not start: {ready}")
        return probe

    async def _line(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the probe exited ({await self.process.wait()})")
        said: dict[str, Any] = json.loads(line)
        return said

    async def _say(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        await self.process.stdin.drain()

    async def begin(self) -> None:
        await self._say("start")

    async def end(self) -> tuple[list[float], int]:
        """The latencies (ms) of the probes answered 200 since ``begin``, and how many failed."""
        await self._say("stop")
        said = await self._line()
        return [float(ms) for ms in said["latencies_ms"]], int(said["failed"])

    async def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def main() -> None:
    asyncio.run(serve(sys.argv[1]))


if __name__ == "__main__":
    main()
