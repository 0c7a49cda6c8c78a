"""Real headless Chromium for the browser tests: Debian's ``chromium``, driven by Playwright.

Playwright's own browser download is not reachable here and is never used
(no ``playwright install``): the tests launch ``/usr/bin/chromium``. With
``CI=true`` a missing browser is installed with apt and the tests must run;
elsewhere they skip, saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1", "yes"}


def _apt_get(*args: str) -> subprocess.CompletedProcess[str]:
    sudo = [] if os.geteuid() == 0 or not shutil.which("sudo") else ["sudo", "-n"]
    return subprocess.run(
        [*sudo, "apt-get", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        timeout=900,
    )


def _install_chromium() -> None:
    """``apt-get install -y chromium`` (after ``apt-get update`` if the lists are stale)."""
    done = _apt_get("install", "-y", "chromium")
    if done.returncode != 0:
        _apt_get("update")
        done = _apt_get("install", "-y", "chromium")
    if done.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(
            f"CI=true and {CHROMIUM} is missing; `apt-get install -y chromium` failed "
            f"(exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium (installed when CI=true), else a skip naming what is missing."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        if _in_ci():
            pytest.fail("CI=true and playwright is missing: pip install -e '.[test]'")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        if not _in_ci():
            pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (CI=true does it)")
        _install_chromium()
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots land here (gitignored), for CI to keep and humans to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
