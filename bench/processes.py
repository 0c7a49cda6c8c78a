"""Processes under test: start them pinned to a core, wait until they answer, read /proc, stop them.

Every server the bench measures runs as its own OS process so that its CPU time
and peak memory can be read from ``/proc`` without counting the load driver.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SERVER_CORE = 1
DRIVER_CORE = 0


ALL_CORES = f"0-{(os.cpu_count() or 1) - 1}"


def pinned(command: list[str], cores: int | str) -> list[str]:
    """``command`` prefixed by ``taskset -c cores`` where taskset exists and the machine has them.

    On a one-core machine nothing is pinned: separating driver and server is impossible there.
    """
    if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        return command
    return ["taskset", "-c", str(cores), *command]


def pin_self(core: int) -> None:
    """Keep the load driver (this process) off the server's core."""
    if hasattr(os, "sched_setaffinity") and core < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {core})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A started server process: its name, base URL and Popen handle."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if it lingers (uvicorn workers included)."""
        if not self.alive():
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def wait_until_answering(server: Server, path: str, timeout_s: float = 60.0) -> None:
    """Poll ``path`` until it answers 2xx; RuntimeError with the log tail if the process dies."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"{server.name} exited at start:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as response:
                if response.status < 300:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer {path} in {timeout_s:.0f} s")


def start_world(
    name: str, module: str, arguments: list[str], log_dir: Path
) -> tuple[Server, dict[str, str]]:
    """``python -m <module> --ephemeral`` (a demo world's systems) on the driver's core, on free
    ports; the base URLs its ready line gives (REST ``urls`` plus any ``dsns``)."""
    log = log_dir / f"{name}.log"
    command = [PYTHON, "-m", module, "--ephemeral", "--exit-with-parent", *arguments]
    process = subprocess.Popen(
        pinned(command, DRIVER_CORE),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
        cwd=ROOT,
        start_new_session=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    server = Server(name, "", process, log)
    if not line:
        server.stop()
        raise RuntimeError(f"{name} did not start:\n{server.log_tail()}")
    ready = json.loads(line)
    urls: dict[str, str] = {**ready.get("urls", {}), **ready.get("dsns", {})}
    return server, urls


def start_sources(
    latency_ms: float, customers: int, log_dir: Path
) -> tuple[Server, dict[str, str]]:
    """The demo sources on the driver's core; their base URLs (REST ``urls`` plus any ``dsns``)."""
    arguments = ["--latency-ms", str(latency_ms), "--customers", str(customers)]
    return start_world("sources", "sources.demo", arguments, log_dir)


def start_uvicorn(
    name: str,
    factory: str,
    env: dict[str, str],
    log_dir: Path,
    *,
    workers: int = 1,
    cores: int | str = SERVER_CORE,
    ready_path: str = "/healthz",
    wait: bool = True,
) -> Server:
    """``uvicorn --factory`` pinned to ``cores`` (the server core unless a scenario says so)."""
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if workers > 1:
        command += ["--workers", str(workers)]
    log = log_dir / f"{name}.log"
    process = subprocess.Popen(
        pinned(command, cores),
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    if wait:
        wait_until_answering(server, ready_path)
    return server


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (uvicorn's workers, node's helpers)."""
    found = [pid]
    for child in _children(pid):
        found.extend(process_tree(child))
    return found


def cpu_seconds(pid: int) -> float:
    """utime+stime of ``pid`` and its live descendants, in seconds."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLOCK_TICKS


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb(pid: int) -> float:
    """VmHWM summed over the process tree (the tree's peaks, an upper bound on the sum's peak)."""
    return sum(_status_kb(p, "VmHWM") for p in process_tree(pid)) / 1024


def rss_mb(pid: int) -> float:
    """Current VmRSS summed over the process tree."""
    return sum(_status_kb(p, "VmRSS") for p in process_tree(pid)) / 1024
