"""Demo source configs with a setting changed, for tests needing a tighter timeout or breaker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gateway.settings import DEMO_SOURCES


def tuned_sources(tmp_path: Path, **per_source: dict[str, Any]) -> Path:
    """The demo config with ``per_source[name]`` merged into each named source; returns its path."""
    config = yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))
    for name, changes in per_source.items():
        source = config["sources"][name]
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(source.get(key), dict):
                source[key] = {**source[key], **value}
            else:
                source[key] = value
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path
