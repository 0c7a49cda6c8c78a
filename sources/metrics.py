"""Prometheus metrics of the source side: requests, latency, errors, cache and breaker state.

Defined once per process (prometheus-client's default registry); the gateway
exposes them at ``/metrics`` next to its per-operation metrics.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SOURCE_REQUESTS = Counter(
    "c360_source_requests_total",
    "Calls that reached a source system (one per batch, after cache, coalescing and breaker), "
    "by outcome.",
    ["source", "outcome"],
)
FAST_FAILS = Counter(
    "c360_source_fast_fails_total",
    "Calls refused by an open circuit breaker without reaching the source.",
    ["source"],
)
RECORDS_DROPPED = Counter(
    "c360_source_records_dropped_total",
    "Records a source answered that match no key asked (dropped, never served), by reason: "
    "unasked (another key's) or keyless (no match_on value); for grouped answers "
    "unasked_group/keyless_group (whole groups).",
    ["source", "entity", "reason"],
)
SOURCE_PAGES = Counter(
    "c360_source_pages_total",
    "Requests for pages after the first of a paged lookup (each one request to the source; "
    "the call's first page is counted in c360_source_requests_total).",
    ["source"],
)
SOURCE_LATENCY = Histogram(
    "c360_source_request_seconds",
    "Time a source system took to answer a batch (including retries).",
    ["source"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SOURCE_RETRIES = Counter("c360_source_retries_total", "Retried source calls.", ["source"])
CACHE_LOOKUPS = Counter(
    "c360_source_cache_total",
    "Response-cache lookups per key: fresh hit, stale served, or miss.",
    ["source", "result"],
)
CACHE_REFUSED = Counter(
    "c360_source_cache_refused_total",
    "Keys' answers served but not cached: larger than the source's cache_max_entry_bytes.",
    ["source"],
)
CACHE_ERRORS = Counter(
    "c360_cache_errors_total", "Shared-cache operations that failed (the cache was skipped).", []
)
BREAKER_STATE = Gauge(
    "c360_source_breaker_state",
    "Circuit breaker per source: 0 closed, 1 half-open, 2 open.",
    ["source"],
)
COALESCED = Counter(
    "c360_source_coalesced_total",
    "Source calls saved because an identical call was already in flight.",
    ["source"],
)
GATHERED = Counter(
    "c360_source_gathered_total",
    "Source calls saved because another request's call of the same lookup, made in the "
    "same turn, took their keys too (sources.gathering).",
    ["source"],
)

INFLIGHT_CALLS = Gauge(
    "c360_source_inflight_calls",
    "Requests to a source system in flight now (a call of several batches counts each "
    "when the source has a budget).",
    ["source"],
)
BUDGET_REFUSALS = Counter(
    "c360_source_budget_refusals_total",
    "Calls refused because they would break the source's budget (never sent), by the limit: "
    "rate_per_s, concurrency or max_calls_per_request.",
    ["source", "budget"],
)

BREAKER_CODES = {"closed": 0, "half-opened": 1, "opened": 2}
