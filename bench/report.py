"""Tables, targets and result files: what a reader compares across runs and commits.

Targets are ratios against the floor and the peer measured in the same run, so
they hold on any machine; they print PASS or MISS and never fail the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.measure import Row

COLUMNS = (
    "gateway",
    "p50 ms",
    "p99 ms",
    "req/s",
    "src req/query",
    "CPU ms/query",
    "peak RSS MB",
    "errors",
    "note",
)


@dataclass
class Target:
    name: str
    figure: str
    verdict: str  # PASS, MISS or n/a

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "figure": self.figure, "verdict": self.verdict}


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _cells(row: Row) -> list[str]:
    by_system = ", ".join(
        f"{name} {n:.2f}" for name, n in row.source_requests_by_system.items() if n >= 0.005
    )
    source = _num(row.source_requests_per_query, 2)
    if by_system and row.source_requests_per_query is not None:
        source += f" ({by_system})"
    return [
        row.target,
        _num(row.p50_ms),
        _num(row.p99_ms),
        _num(row.rps),
        source,
        _num(row.cpu_ms_per_query, 2),
        _num(row.peak_rss_mb, 0),
        str(row.errors) if row.p50_ms is not None else "–",
        row.note,
    ]


def _groups(rows: list[Row]) -> dict[tuple[str, int], list[Row]]:
    groups: dict[tuple[str, int], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.scenario, row.concurrency), []).append(row)
    return groups


def text_tables(rows: list[Row], titles: dict[str, str]) -> str:
    out = []
    for (scenario, concurrency), group in _groups(rows).items():
        cells = [list(COLUMNS), *(_cells(r) for r in group)]
        widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS) - 1)]
        out.append(f"\n{titles.get(scenario, scenario)} — concurrency {concurrency}")
        for line in cells:
            padded = [
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=False))
            ]
            out.append("  " + "  ".join(padded) + ("  " + line[-1] if line[-1] else ""))
    return "\n".join(out)


def markdown(
    rows: list[Row], titles: dict[str, str], targets: list[Target], meta: dict[str, Any]
) -> str:
    out = [f"# Benchmark results ({meta['mode']})", ""]
    out.append(
        f"{meta['date']} · {meta['cpus']} CPUs · driver {meta['driver']} · "
        f"sources latency {meta['latency_ms']} ms · warm-up {meta['warmup_s']} s, "
        f"timed {meta['duration_s']} s per row"
    )
    for note in meta.get("notes", []):
        out.append(f"\n> {note}")
    for (scenario, concurrency), group in _groups(rows).items():
        out += ["", f"## {titles.get(scenario, scenario)} — concurrency {concurrency}", ""]
        out.append("| " + " | ".join(COLUMNS) + " |")
        out.append("|" + "---|" * len(COLUMNS))
        for row in group:
            out.append("| " + " | ".join(c.replace("|", "/") for c in _cells(row)) + " |")
    if targets:
        out += ["", "## Targets", "", "| target | figure | verdict |", "|---|---|---|"]
        out += [f"| {t.name} | {t.figure} | {t.verdict} |" for t in targets]
    return "\n".join(out) + "\n"


def _find(
    rows: list[Row], scenario: str, target: str, concurrency: int | None = None
) -> Row | None:
    for row in rows:
        if row.scenario == scenario and row.target == target and row.p50_ms is not None:
            if concurrency is None or row.concurrency == concurrency:
                return row
    return None


def _best_peer(rows: list[Row], scenario: str, concurrency: int | None) -> Row | None:
    peers = [
        r
        for name in ("peer-per-customer", "peer-batched")
        if (r := _find(rows, scenario, name, concurrency)) is not None
    ]
    return max(peers, key=lambda r: r.rps or 0.0) if peers else None


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def evaluate(rows: list[Row], soak: dict[str, Any] | None) -> list[Target]:
    """The issue's targets, each from figures of this run (n/a where a row is missing)."""
    targets: list[Target] = []

    def latency(concurrency: int, slack_ms: float) -> None:
        ours = _find(rows, "a-agent-saved", "c360", concurrency)
        floor = _find(rows, "a-agent-saved", "floor", concurrency)
        name = f"agent p50 ≤ floor + {slack_ms:.0f} ms at concurrency {concurrency}"
        if ours and floor and ours.p50_ms is not None and floor.p50_ms is not None:
            figure = f"{ours.p50_ms:.1f} ms vs floor {floor.p50_ms:.1f} ms"
            targets.append(Target(name, figure, _verdict(ours.p50_ms <= floor.p50_ms + slack_ms)))
        else:
            targets.append(Target(name, "not measured", "n/a"))

    latency(1, 3)
    latency(50, 10)

    def throughput(scenario: str, name: str, factor: float, concurrency: int | None) -> None:
        ours = _find(rows, scenario, "c360", concurrency)
        peer = _best_peer(rows, scenario, concurrency)
        if ours and peer and ours.rps and peer.rps:
            ratio = ours.rps / peer.rps
            figure = f"{ratio:.2f}× ({ours.rps:.0f} vs {peer.target} {peer.rps:.0f} req/s)"
            targets.append(Target(name, figure, _verdict(ratio >= factor)))
        else:
            targets.append(Target(name, "peer or gateway not measured", "n/a"))

    throughput("a-agent-saved", "agent saved query ≥ 2× the peer's req/s", 2.0, 50)
    throughput("b-agent-adhoc", "agent ad-hoc text ≥ 1× the peer's req/s", 1.0, None)

    ours = _find(rows, "c-customers-50", "c360")
    peer = _find(rows, "c-customers-50", "peer-batched")
    name = "50 customers ≥ 1.5× the batched peer's req/s, one request per source"
    if ours and peer and ours.rps and peer.rps:
        once = ours.source_requests_one_query
        one_each = bool(once) and set(once.values()) == {1}
        ratio = ours.rps / peer.rps
        figure = (
            f"{ratio:.2f}× ({ours.rps:.0f} vs {peer.rps:.0f} req/s); one query alone: "
            + ", ".join(f"{system} {n}" for system, n in sorted(once.items()))
        )
        targets.append(Target(name, figure, _verdict(ratio >= 1.5 and one_each)))
    else:
        targets.append(Target(name, "not measured", "n/a"))

    def against_floor(
        name: str, ours: Row | None, floor: Row | None, metric: str, limit: float, digits: int
    ) -> None:
        """Our figure over the floor's for ``metric`` (lower is better), at most ``limit``."""
        mine = getattr(ours, metric) if ours else None
        theirs = getattr(floor, metric) if floor else None
        if mine and theirs:
            ratio = mine / theirs
            figure = f"{ratio:.2f}× ({mine:.{digits}f} vs {theirs:.{digits}f} ms)"
            targets.append(Target(name, figure, _verdict(ratio <= limit)))
        else:
            targets.append(Target(name, "not measured", "n/a"))

    ours = _find(rows, "a-agent-saved", "c360", 50) or _find(rows, "a-agent-saved", "c360")
    floor = _find(rows, "a-agent-saved", "floor", ours.concurrency if ours else None)
    against_floor(
        "gateway CPU per agent query ≤ 1.5× the floor's", ours, floor, "cpu_ms_per_query", 1.5, 2
    )
    against_floor(
        "10,000 orders ≤ 3× the floor's time (p50)",
        _find(rows, "d-10k-orders", "c360"),
        _find(rows, "d-10k-orders", "floor"),
        "p50_ms",
        3.0,
        0,
    )

    one = _find(rows, "f-workers", "c360 1 worker")
    two = _find(rows, "f-workers", "c360 2 workers")
    if one and two and one.rps and two.rps:
        targets.append(
            Target("2 workers vs 1 (information)", f"{two.rps / one.rps:.2f}× req/s", "n/a")
        )

    name = "soak RSS growth minute 2 → end ≤ 10%"
    if soak and soak.get("growth_pct") is not None:
        figure = (
            f"{soak['growth_pct']:.1f}% ({soak['rss_min2_mb']:.0f} → {soak['rss_end_mb']:.0f} MB)"
            f", {soak['errors']} errors"
        )
        targets.append(Target(name, figure, _verdict(soak["growth_pct"] <= 10.0)))
    else:
        targets.append(Target(name, "run with --soak", "n/a"))
    return targets


def text_targets(targets: list[Target]) -> str:
    width = max(len(t.name) for t in targets)
    return "\n".join(f"  {t.verdict:<4}  {t.name.ljust(width)}  {t.figure}" for t in targets)


def write(
    directory: Path,
    stem: str,
    rows: list[Row],
    titles: dict[str, str],
    targets: list[Target],
    meta: dict[str, Any],
    soak: dict[str, Any] | None = None,
) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    payload = {
        "meta": meta,
        "scenarios": titles,
        "rows": [r.as_json() for r in rows],
        "targets": [t.as_json() for t in targets],
        "soak": soak,
    }
    json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
    json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(rows, titles, targets, meta), encoding="utf-8")
    return json_path, md_path
