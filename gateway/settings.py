"""The gateway's one settings object: environment variables with the ``C360_`` prefix."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, get_origin

from pydantic import Field, IPvAnyNetwork
from pydantic_settings import BaseSettings, SettingsConfigDict

from queries import saved_queries_dir

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_SOURCES = PROJECT_ROOT / "sources" / "demo" / "sources.yaml"


class Settings(BaseSettings):
    """Read once at start. Every limit has a safe default; production turns the IDE off."""

    model_config = SettingsConfigDict(env_prefix="C360_", env_nested_delimiter="__", extra="ignore")

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8000
    workers: Annotated[int, Field(ge=1, le=64)] = 1
    sources_file: Path = DEMO_SOURCES
    source_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Per-source base_url overrides by source name (JSON in the environment).",
    )
    queries_dir: Path = Field(
        default_factory=saved_queries_dir,
        description="The saved queries (*.graphql); default: those installed with the package.",
    )
    request_deadline_ms: Annotated[int, Field(ge=10, le=120_000)] = 5_000
    compiled: bool = Field(
        default=True,
        description="The execution engine (schema/execution): operations run as compiled plans "
        "(saved queries compiled at start) and plain data is completed directly; off: "
        "Strawberry and graphql-core's executor alone, nothing of the engine installed.",
    )
    saved_queries_only: bool = Field(
        default=False,
        description="Run only the saved queries of queries_dir (by name, by hash, or their "
        "exact text); any other document answers 400 SAVED_QUERY_REQUIRED.",
    )
    identity_cache_ttl_s: Annotated[float, Field(ge=0, le=3_600)] | None = Field(
        default=None,
        description="Replaces the source config's identity.cache_ttl_s (how long a phone, "
        "email or id lookup's answer is remembered across requests); 0: off.",
    )
    graphiql: bool = True
    introspection: bool = True
    max_depth: Annotated[int, Field(ge=1)] = 15
    max_aliases: Annotated[int, Field(ge=1)] = 50
    max_tokens: Annotated[int, Field(ge=10)] = 5_000
    max_body_bytes: Annotated[int, Field(ge=1_024)] = 1_000_000
    max_query_bytes: Annotated[int, Field(ge=1_024)] = Field(
        default=64_000,
        description="The longest query text read (the agent's is under 1 KB); longer: 400 "
        "QUERY_TOO_LARGE before parsing.",
    )
    max_cost: Annotated[int, Field(ge=1)] = Field(
        default=1_000_000,
        description="Demand control: the most an operation may cost, estimated before it runs "
        "(gateway/demand_control.py); over it the request answers 400 COST_LIMIT.",
    )
    cost_list_sizes: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Demand control: assumed lengths of list fields without a size argument, "
        'by Type.field (JSON, e.g. {"Customer.orders": 50}); merged over the demo defaults.',
    )
    max_list_items: Annotated[int, Field(ge=1)] = Field(
        default=1_000,
        description="The longest list argument or list variable a request may send (ids).",
    )
    max_answer_bytes: Annotated[int, Field(ge=1_024)] = Field(
        default=32_000_000,
        description="An answer larger than this, encoded, becomes a RESPONSE_TOO_LARGE error.",
    )
    max_answer_items: Annotated[int, Field(ge=1)] = Field(
        default=200_000,
        description="List items one answer may hold, counted while it is completed (every "
        "list's length); over it the completion stops and the answer is one "
        "RESPONSE_TOO_LARGE error. The request's deadline also stops a completion "
        "(DEADLINE_EXCEEDED).",
    )
    max_in_flight: Annotated[int, Field(ge=1)] = Field(
        default=512,
        description="GraphQL requests running at once in this process; beyond: 503 + Retry-After.",
    )
    max_in_flight_per_client: Annotated[int, Field(ge=1)] = Field(
        default=64,
        description="GraphQL requests running at once for one credential (Authorization) or, "
        "without one, one address; beyond: 429 + Retry-After.",
    )
    trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description="Addresses or networks of the load balancers in front of the gateway "
        '(JSON, e.g. ["10.0.0.0/8"]); a request from one is counted against the client its '
        "X-Forwarded-For names (the right-most address not in this list). Empty: the peer.",
    )
    body_read_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=10.0, description="A request body slower than this answers 408 (slow clients)."
    )
    max_introspection_depth: Annotated[int, Field(ge=3)] = Field(
        default=20, description="Field depth under __schema/__type; full introspection needs 15."
    )
    max_fields: Annotated[int, Field(ge=10)] = Field(
        default=5_000,
        description="Fields one operation selects once its fragment spreads are expanded "
        "(a fragment spread twice counts twice); the saved agent view selects 65.",
    )
    max_introspection_fields: Annotated[int, Field(ge=1)] = Field(
        default=2,
        description="__schema/__type fields one document may select, aliases and fragment "
        "spreads counted; GraphiQL's full introspection selects 1.",
    )
    role_view_ttl_s: Annotated[float, Field(ge=0, le=86_400)] = Field(
        default=60.0,
        description="How long the CMO's and CEO's computed figures are kept (0: computed "
        "on every request); each figure says its as-of time either way.",
    )
    large_deal_amount: Annotated[float, Field(ge=0)] = Field(
        default=50_000.0,
        description="The CEO's large deals: open opportunities worth this much or more.",
    )
    intelligence_file: Path | None = Field(
        default=None,
        description="YAML overriding the intelligence defaults (segments, ticket costs, "
        "profitability tiers, CLV horizon, churn thresholds, offers); see the README.",
    )
    state_dsn: str | None = Field(
        default=None,
        description="Where recorded offer outcomes are kept (SQLAlchemy async URL, e.g. "
        "postgresql+asyncpg://user@host/db); unset: the SQLite file c360-state.db in the "
        "working directory.",
    )
    log_level: str = "info"
    redis_url: str | None = Field(
        default=None,
        description="Shared response cache for all replicas (redis://host:6379/0); "
        "unset: an in-process cache.",
    )
    cache_prefix: str = "c360:"
    gc_threshold: int = Field(
        ge=0,
        default=50_000,
        description="Allocations before a first-generation collection (Python's default is "
        "700); 0 keeps Python's defaults. See gateway/runtime_tuning.py.",
    )


PREFIX = "C360_"
TEST_ONLY_VARIABLES = frozenset(
    {
        "C360_TEST_POSTGRES_DSN",
        "C360_TEST_REDIS_URL",
        "C360_DIFFERENTIAL_CASES",
        "C360_DIFFERENTIAL_SEED",
    }
)
"""``C360_*`` names the test suite and CI read; the gateway ignores them."""

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


def setting_variables() -> tuple[set[str], set[str]]:
    """Every ``C360_*`` name of a setting, and those of dict settings (``NAME__key`` allowed)."""
    names: set[str] = set()
    nested: set[str] = set()
    for name, field in Settings.model_fields.items():
        variable = PREFIX + name.upper()
        names.add(variable)
        if get_origin(field.annotation) is dict:
            nested.add(variable)
    return names, nested


def referenced_variables(*config_files: Path) -> set[str]:
    """The ``${VAR}`` names a source config file substitutes (unreadable files: none)."""
    found: set[str] = set()
    for path in config_files:
        try:
            found.update(_REFERENCE.findall(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return {name.upper() for name in found}


def unknown_variables(environ: Mapping[str, str], allowed: Iterable[str] = ()) -> list[str]:
    """One line per ``C360_*`` variable that no setting reads, with the nearest setting's name.

    A leftover (``C360_BATCHING``) or a typo (``C360_MAX_DEPHT``) is otherwise
    silently ignored. Names in ``allowed`` (those the source config substitutes)
    and ``TEST_ONLY_VARIABLES`` are fine.
    """
    names, nested = setting_variables()
    known = names | TEST_ONLY_VARIABLES | {name.upper() for name in allowed}
    problems = []
    for key in sorted(environ):
        variable = key.upper()
        if not variable.startswith(PREFIX) or variable in known:
            continue
        if any(variable.startswith(parent + "__") for parent in nested):
            continue
        near = difflib.get_close_matches(variable, sorted(names), n=1, cutoff=0.8)
        hint = f" (did you mean {near[0]}?)" if near else ""
        problems.append(
            f"{key} is not a setting of the gateway nor a variable of the source config{hint}"
        )
    return problems
