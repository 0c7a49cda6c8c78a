"""``python -m bench.roles`` runs end to end and says both agent verdicts (no time asserted).

The agent view is judged against the configured latency and against the same
source requests asked directly; the rounds it reports are the demo systems' own
order of events, so they are checked here like request counts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report() -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.roles",
            "--requests",
            "3",
            "--customers",
            "300",
            "--no-write",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_each_agent_row_is_judged_literally_and_against_the_sources_alone(report: str) -> None:
    for caller in ("new caller", "repeat caller"):
        verdicts = [
            line
            for line in report.splitlines()
            if line.startswith(f"- agent ({caller})") and "p50" in line
        ]
        assert len(verdicts) == 2, verdicts
        literal, observed = verdicts
        assert "slowest source + 5 ms = 25 ms" in literal
        assert "against the sources as observed" in observed
        assert observed.endswith((", met", ", MISSED")) and literal.endswith((", met", ", MISSED"))
        row = next(line for line in report.splitlines() if line.startswith(f"| agent | {caller}"))
        assert row.rstrip(" |").split("|")[-1].strip(), "the sources-alone figures are in the row"


def test_the_reported_round_trips_are_the_views_own(report: str) -> None:
    trips = {
        line.split(": ", 1)[0]: line.split(": ", 1)[1]
        for line in report.splitlines()
        if line.startswith("- agent (") and ": round 1: " in line
    }
    new, repeat = trips["- agent (new caller)"], trips["- agent (repeat caller)"]
    assert new.startswith("round 1: crm /contacts, contacts /people; then round 2: "), new
    assert "round 2" not in repeat and "crm" not in repeat and "orders /orders" in repeat, repeat
