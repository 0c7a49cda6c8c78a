"""``python -m bench.identity``: how well two customer systems' records are matched, and how fast.

Accuracy: a labelled set generated with ground truth (the demo world's generator
at 10,000 people: the CRM's flat, title-cased, ISO-dated records and the contact
book's nested, upper-cased, DD/MM/YYYY ones, with typos, swapped names, missing
fields, moves, plus-addressed emails, household phones and namesakes), both
mapped to domain records by the demo's own YAML (``sources/demo/sources.yaml``).
Each CRM record is then matched one at a time, as a request would: its blocking
keys (``resolvers.process.blocking``) are asked of an in-memory index standing in
for the contact book's search API (only the searches the YAML declares for it),
and the answers go through the same matcher (``candidates.matches_among``).
Printed: precision, recall and F1 of the (CRM id, contact key) pairs.

Latency: ``customer(phone:)`` through the gateway over the demo sources with
20 ms added to every source request, p50 and p95, alone and with ``identities``
(one more wait: the searches).

Results go to ``bench/results/identity-latest.md``. Serialize with the other benches:
``flock /tmp/c360-bench.lock .venv/bin/python -m bench.identity``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from random import Random

import aiohttp

from bench.processes import ROOT, Server, start_sources, start_uvicorn
from resolvers.process.addresses import postcode_key
from resolvers.process.blocking import blocking_keys, soundex
from resolvers.process.candidates import matches_among
from resolvers.process.matching import DEFAULT_SETTINGS, Comparable, MatchSettings
from resolvers.system.mapping import build_mappers
from resolvers.system.records import CustomerProfile
from sources.config import LINKED_BY, SourcesConfig, load_sources_config
from sources.demo.world.contact_book import birth_dates, contact_book, national_ids
from sources.demo.world.contacts import crm_contacts
from sources.demo.world.people import generate_people
from sources.keys import normalize_key

DEMO_SOURCES = ROOT / "sources" / "demo" / "sources.yaml"
RESULTS = ROOT / "bench" / "results" / "identity-latest.md"
TODAY = date(2026, 6, 1)
TARGET_PRECISION, TARGET_RECALL = 0.995, 0.98
IN_BOTH = 0.97
"""Share of CRM people the contact book also holds here (so both systems pass 10,000)."""
Pair = tuple[str, str]


@dataclass(slots=True, frozen=True)
class LabelledSet:
    """Both systems' records as domain records, and the true (CRM id, contact key) pairs."""

    crm: list[CustomerProfile]
    book: list[CustomerProfile]
    truth: set[Pair]


def labelled_set(people: int, seed: int = 18, traps: int | None = None) -> LabelledSet:
    """``people`` CRM people (plus guests) written by both systems, mapped by the demo YAML."""

    def stream(name: str) -> Random:
        return Random(f"{seed}:{name}")

    world = generate_people(stream("people"), people, TODAY)
    born = birth_dates(stream("births"), world, TODAY)
    ids = national_ids(stream("national-ids"), world)
    crm_records = crm_contacts(stream("crm"), world, people, born, ids)
    book_records, truth = contact_book(
        stream("contact-book"),
        world,
        born,
        traps=people // 50 if traps is None else traps,
        in_book=IN_BOTH,
        ids=ids,
    )
    person_of_crm = {f"C-{10001 + p.index}": p.index for p in world if p.crm_id is not None}
    duplicate = next(p.index for p in world if p.role == "crm_duplicate")
    mappers = build_mappers(load_sources_config(DEMO_SOURCES))
    crm = [mappers[("crm", "contacts")].map_one(r) for r in crm_records]
    book = [mappers[("contacts", "people")].map_one(r) for r in book_records]
    keys_of: dict[int, list[str]] = {}
    for key, index in truth.person_of_key.items():
        keys_of.setdefault(index, []).append(key)
    pairs = {
        (profile.id, key)
        for profile in crm
        for key in keys_of.get(person_of_crm.get(profile.id, duplicate), [])
    }
    return LabelledSet(crm, book, pairs)


class SearchIndex:
    """Stands in for one customer system's search API: exactly the lookups its YAML declares."""

    def __init__(self, config: SourcesConfig, system: str, records: Iterable[CustomerProfile]):
        entity = next(e for e in config.sources[system].entities.values() if e.serves == "customer")
        self.offered = frozenset(entity.lookups)
        self._by: dict[tuple[str, str], list[CustomerProfile]] = {}
        for record in records:
            for kind in self.offered:
                for value in _values(kind, record):
                    self._by.setdefault((kind, value), []).append(record)

    def search(self, kind: str, value: str) -> list[CustomerProfile]:
        key = value if kind.startswith(LINKED_BY) else normalize_key(kind, value)
        return self._by.get((kind, key), []) if key is not None else []


def _values(kind: str, record: CustomerProfile) -> list[str]:
    """What a system compares a search value with, in ``normalize_key`` form."""
    fields: dict[str, str | None] = {
        "email": record.email,
        "phone": record.phone,
        "postcode": postcode_key(record.postal_code),
        "surname": record.last_name,
        "given_name": record.first_name,
        "surname_soundex": soundex(record.last_name),
        "birth_date": record.birth_date.isoformat() if record.birth_date else None,
    }
    if kind.startswith(LINKED_BY):  # the ids this record holds for that system
        system = kind[len(LINKED_BY) :]
        return [ref.record_id for ref in record.links if ref.system == system]
    value = fields.get(kind)
    key = normalize_key(kind, value) if value else None
    return [key] if key is not None else []


def match_one_at_a_time(
    crm: Sequence[CustomerProfile], index: SearchIndex, settings: MatchSettings
) -> tuple[set[Pair], int]:
    """Per CRM record, its contact-book matches (as ``resolve_matches`` finds them); candidates."""
    found: set[Pair] = set()
    candidates_seen = 0
    prepared: dict[CustomerProfile, Comparable] = {}
    for record in crm:
        candidates: dict[str, CustomerProfile] = {}
        for kind, values in blocking_keys([record], index.offered).items():
            for value in values:
                for candidate in index.search(kind, value):
                    candidates.setdefault(candidate.id, candidate)
        candidates_seen += len(candidates)
        for match in matches_among([record], candidates.values(), settings, prepared):
            found.add((record.id, match.profile.id))
    return found, candidates_seen


@dataclass(slots=True, frozen=True)
class Accuracy:
    records: tuple[int, int]
    true_pairs: int
    precision: float
    recall: float
    f1: float
    false_positives: list[Pair]
    false_negatives: list[Pair]
    candidates_per_record: float
    seconds: float


def accuracy(people: int, settings: MatchSettings = DEFAULT_SETTINGS) -> Accuracy:
    labelled = labelled_set(people)
    index = SearchIndex(load_sources_config(DEMO_SOURCES), "contacts", labelled.book)
    started = time.perf_counter()
    found, candidates = match_one_at_a_time(labelled.crm, index, settings)
    seconds = time.perf_counter() - started
    hits = len(found & labelled.truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(labelled.truth) if labelled.truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Accuracy(
        (len(labelled.crm), len(labelled.book)),
        len(labelled.truth),
        precision,
        recall,
        f1,
        sorted(found - labelled.truth),
        sorted(labelled.truth - found),
        candidates / max(1, len(labelled.crm)),
        seconds,
    )


async def _timed(session: aiohttp.ClientSession, url: str, query: str, phone: str) -> float:
    started = time.perf_counter()
    async with session.post(url, json={"query": query, "variables": {"p": phone}}) as reply:
        body = await reply.json()
    elapsed = (time.perf_counter() - started) * 1000
    if body.get("errors") or not body["data"]["customer"]:
        raise RuntimeError(f"phone lookup failed: {body}")
    return elapsed


PHONE_ONLY = "query($p: String) { customer(phone: $p) { id name } }"
WITH_IDENTITIES = (
    "query($p: String) { customer(phone: $p) { id name identities { system recordId } } }"
)


def phone_latency(latency_ms: float, lookups: int, customers: int = 1000) -> dict[str, float]:
    """p50/p95 of phone lookups through the gateway over the demo sources at ``latency_ms``."""
    from sources.demo.data import generate

    world = generate(customers=customers)
    phones = [c["phone"] for c in world.contacts[:lookups]]
    with tempfile.TemporaryDirectory() as logs:
        sources, urls = start_sources(latency_ms, customers, Path(logs))
        gateway: Server | None = None
        try:
            env = {"C360_SOURCE_URLS": json.dumps(urls), "C360_LOG_LEVEL": "warning"}
            gateway = start_uvicorn("c360", "gateway.app:create_app", env, Path(logs))
            return asyncio.run(_latencies(gateway.url + "/graphql", phones))
        finally:
            if gateway is not None:
                gateway.stop()
            sources.stop()


async def _latencies(url: str, phones: list[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        for name, query in (("phone", PHONE_ONLY), ("phone+identities", WITH_IDENTITIES)):
            await _timed(session, url, query, phones[0])  # warm
            times = [await _timed(session, url, query, phone) for phone in phones]
            found[f"{name} p50"] = statistics.median(times)
            found[f"{name} p95"] = statistics.quantiles(times, n=20)[-1]
    return found


def report(result: Accuracy, latency: dict[str, float] | None, latency_ms: float) -> str:
    crm, book = result.records
    lines = [
        "# Identity resolution: accuracy and phone-lookup latency",
        "",
        "Command: `flock /tmp/c360-bench.lock .venv/bin/python -m bench.identity`",
        "",
        f"Labelled set: {crm:,} CRM records, {book:,} contact-book records, "
        f"{result.true_pairs:,} true pairs; each CRM record matched one at a time "
        f"({result.candidates_per_record:.0f} candidates per record from the blocking "
        f"searches, {result.seconds:.1f} s in all).",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| precision | {result.precision:.4f} | >= {TARGET_PRECISION} |",
        f"| recall | {result.recall:.4f} | >= {TARGET_RECALL} |",
        f"| F1 | {result.f1:.4f} | |",
        f"| false positives | {len(result.false_positives)} | |",
        f"| false negatives | {len(result.false_negatives)} | |",
    ]
    if latency is not None:
        lines += [
            "",
            f"Phone lookup through the gateway, every demo source answering {latency_ms:.0f} ms "
            "late (target: p50 within 5 ms of the slowest source):",
            "",
            "| query | p50 ms | p95 ms |",
            "|---|---|---|",
        ]
        for name in ("phone", "phone+identities"):
            p50, p95 = latency[f"{name} p50"], latency[f"{name} p95"]
            lines.append(f"| {name} | {p50:.1f} | {p95:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.identity", description=__doc__)
    parser.add_argument("--people", type=int, default=10_000, help="CRM people in the set")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--lookups", type=int, default=100, help="phone lookups timed")
    parser.add_argument("--no-latency", action="store_true", help="accuracy only")
    parser.add_argument("--results", type=Path, default=RESULTS)
    arguments = parser.parse_args(argv)
    result = accuracy(arguments.people)
    latency = None
    if not arguments.no_latency:
        latency = phone_latency(arguments.latency_ms, arguments.lookups)
    text = report(result, latency, arguments.latency_ms)
    print(text)
    for pair in result.false_positives[:10]:
        print("false positive:", pair)
    for pair in result.false_negatives[:10]:
        print("false negative:", pair)
    arguments.results.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
