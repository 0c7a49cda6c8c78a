"""``C360_COMPILED`` says what it does, and the engine's fallbacks are visible to operators.

On (the default) the execution engine is plugged into the schema, saved queries
are compiled at start (a warning names any that cannot be), and every operation
that runs generically instead is counted in ``c360_execution_fallbacks_total``.
Off, nothing of the engine is installed: Strawberry and graphql-core's executor
answer alone. Batching, on the other hand, is no setting at all: only the
benchmark's own app factory turns it off.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import strawberry

from bench.gateways import create_unbatched_app
from gateway.app import create_app
from gateway.settings import PROJECT_ROOT, Settings
from schema.execution import CompiledOperation, ExecutionEngine
from schema.query import Query
from tests.demo_harness import DemoSources
from tests.gateway.wire import post_query
from tests.integration.test_resilience import metric

INTROSPECTION = "{ __schema { queryType { name } } }"


def engine_parts(schema: strawberry.Schema) -> list[str]:
    """What of ``schema.execution`` a schema runs with: its executor class, its extensions."""
    parts = []
    executor = schema.execution_context_class
    if executor is not None and executor.__module__.startswith("schema.execution"):
        parts.append(f"executor {executor.__qualname__}")
    for extension in schema.get_extensions():
        if type(extension).__module__.startswith("schema.execution"):
            parts.append(f"extension {type(extension).__qualname__}")
    return parts


def test_compiled_off_is_graphql_cores_executor_alone(demo_urls: dict[str, str]) -> None:
    app = create_app(Settings(source_urls=demo_urls, compiled=False, gc_threshold=0))
    schema: strawberry.Schema = app.state.schema
    assert app.state.engine is None
    # No plan, no plain-data completion: Strawberry's own executor class (graphql-core's
    # with Strawberry's resolve info), whose lists are charged to the completion budget
    # (issue 16) and nothing else.
    assert engine_parts(schema) == ["executor BoundedExecutionContext"]
    executor = schema.execution_context_class
    assert executor is not None
    assert executor.__bases__ == (strawberry.Schema(query=Query).execution_context_class,)
    assert [name for name in vars(executor) if not name.startswith("__")] == ["complete_list_value"]


def test_compiled_on_plugs_the_engine_into_the_schema(demo_urls: dict[str, str]) -> None:
    app = create_app(Settings(source_urls=demo_urls, gc_threshold=0))
    assert isinstance(app.state.engine, ExecutionEngine)
    assert any(part.startswith("extension") for part in engine_parts(app.state.schema))


def test_saved_queries_are_compiled_at_start_and_stragglers_named(
    demo_urls: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copy(PROJECT_ROOT / "queries" / "agent.graphql", tmp_path / "agent.graphql")
    (tmp_path / "schema_probe.graphql").write_text(f"query SchemaProbe {INTROSPECTION}\n")
    with caplog.at_level(logging.WARNING, logger="c360.app"):
        app = create_app(Settings(source_urls=demo_urls, queries_dir=tmp_path, gc_threshold=0))
    warnings = [r.getMessage() for r in caplog.records if r.name == "c360.app"]
    assert len(warnings) == 1, warnings
    assert "schema_probe" in warnings[0] and "introspection" in warnings[0]
    engine: ExecutionEngine = app.state.engine
    plans = engine.plans(app.state.schema)
    agent = app.state.saved_queries["agent"].text
    assert isinstance(plans.get((agent, "AgentView")), CompiledOperation), "compiled before serving"


async def test_a_fallback_is_counted_by_reason(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway()
    before = await metric(url, "c360_execution_fallbacks_total", reason="introspection")
    for _ in range(2):
        reply = await post_query(url, INTROSPECTION)
        assert reply.status == 200
        assert reply.body["data"]["__schema"]["queryType"]["name"] == "Query"
    after = await metric(url, "c360_execution_fallbacks_total", reason="introspection")
    assert after == before + 2


async def test_compiled_off_counts_no_fallbacks(
    start_gateway: Callable[..., str], demo: DemoSources
) -> None:
    url = start_gateway(compiled=False)
    before = await metric(url, "c360_execution_fallbacks_total", reason="introspection")
    reply = await post_query(url, INTROSPECTION)
    assert reply.status == 200
    assert await metric(url, "c360_execution_fallbacks_total", reason="introspection") == before


def test_batching_off_is_a_bench_factory_not_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production cannot turn batching off by accident; the benchmark's unbatched row can."""
    monkeypatch.setenv("C360_BATCHING", "false")
    assert create_app(Settings(gc_threshold=0)).state.runtime.batching is True
    assert create_unbatched_app().state.runtime.batching is False
