"""The gateway's one settings object: environment variables with the ``C360_`` prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    queries_dir: Path = PROJECT_ROOT / "queries"
    request_deadline_ms: Annotated[int, Field(ge=10, le=120_000)] = 5_000
    compiled: bool = Field(
        default=True,
        description="The execution engine (schema/execution): operations run as compiled plans "
        "(saved queries compiled at start) and plain data is completed directly; off: "
        "Strawberry and graphql-core's executor alone, nothing of the engine installed.",
    )
    graphiql: bool = True
    introspection: bool = True
    max_depth: Annotated[int, Field(ge=1)] = 15
    max_aliases: Annotated[int, Field(ge=1)] = 50
    max_tokens: Annotated[int, Field(ge=10)] = 5_000
    max_body_bytes: Annotated[int, Field(ge=1_024)] = 1_000_000
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
    body_read_timeout_s: Annotated[float, Field(gt=0, le=300)] = Field(
        default=10.0, description="A request body slower than this answers 408 (slow clients)."
    )
    max_introspection_depth: Annotated[int, Field(ge=3)] = Field(
        default=20, description="Field depth under __schema/__type; full introspection needs 15."
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
        default=10_000,
        description="Allocations before a first-generation collection (Python's default is "
        "700); 0 keeps Python's defaults. See gateway/runtime_tuning.py.",
    )
