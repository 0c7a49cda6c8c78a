"""The ASGI application: GraphQL, saved views, health, wired to the source runtime.

``create_app`` reads the settings and the source config and fails right there,
before serving anything, if either is wrong.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import strawberry
from prometheus_client import make_asgi_app
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from gateway.admission import Admission
from gateway.dashboards import DASHBOARD_ASSETS_URL, Dashboards, dashboard_assets
from gateway.demand_control import CostModel
from gateway.extensions import gateway_extensions
from gateway.graphiql import ASSETS_URL, GraphiQLAssets
from gateway.graphql_http import error_response, status_code_name
from gateway.graphql_view import CustomerGraphQL
from gateway.http_limits import RequestBodyLimits
from gateway.intelligence import new_intelligence
from gateway.intelligence import running as running_intelligence
from gateway.observability import count_fallback
from gateway.persisted import PersistedQueries
from gateway.runtime_tuning import tune_garbage_collector
from gateway.saved_queries import SavedQuery, load_saved_queries
from gateway.settings import Settings
from gateway.views import saved_view
from resolvers.system.runtime import SourceRuntime
from schema import build_schema
from schema.execution import ExecutionEngine

log = logging.getLogger("c360.app")


async def healthz(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def readyz(request: Request) -> Response:
    """Ready to serve (a dead source costs only its fields); per-source breaker and last error."""
    runtime: SourceRuntime = request.app.state.runtime
    sources = runtime.status()
    degraded = sorted(name for name, status in sources.items() if status["breaker"] != "closed")
    return JSONResponse({"ok": True, "degraded": degraded, "sources": sources})


class PrometheusMetrics:
    """prometheus-client's ASGI app at ``/metrics`` itself (a ``Mount`` answers 307 there).

    An instance, not a function, so Starlette's ``Route`` hands it the raw ASGI call.
    """

    def __init__(self) -> None:
        self.app = make_asgi_app()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


async def http_refusal(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such path, another method) as JSON errors with a code,
    like every other refusal of the gateway, instead of its text/plain."""
    assert isinstance(exc, HTTPException)
    where = f"{request.method} {request.url.path}"
    return error_response(
        exc.status_code,
        f"{exc.detail}: {where}",
        status_code_name(exc.status_code),
        headers=exc.headers,
    )


async def home(request: Request) -> Response:
    return RedirectResponse("/graphql")


def precompile_saved_queries(
    engine: ExecutionEngine, schema: strawberry.Schema, saved: dict[str, SavedQuery]
) -> None:
    """Compile every saved query before serving; one warning per query that runs generically."""
    for name, query in saved.items():
        reason = engine.precompile(schema, query.text)
        if reason is not None:
            log.warning(
                "saved query '%s' cannot be compiled (%s): it runs generically", name, reason
            )


def create_app(settings: Settings | None = None, *, batching: bool = True) -> Starlette:
    """The gateway as configured by ``settings`` (the environment when None).

    ``batching=False`` turns dataloader batching and the response cache off; it
    exists only for the benchmark's ``unbatched`` row (``bench/gateways.py``)
    and is deliberately not a setting.
    """
    settings = settings or Settings()
    # Strawberry logs every resolver error with a traceback; ours are typed and
    # logged where they happen (masked ones in gateway.errors with a request id).
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    runtime = SourceRuntime.from_file(
        settings.sources_file,
        overrides=settings.source_urls,
        batching=batching,
        redis_url=settings.redis_url,
        cache_prefix=settings.cache_prefix,
        identity_cache_ttl_s=settings.identity_cache_ttl_s,
    )
    engine = ExecutionEngine(on_fallback=count_fallback) if settings.compiled else None
    schema = build_schema(gateway_extensions(settings), engine=engine)
    CostModel(schema._schema, settings.cost_list_sizes)  # a misspelt list estimate stops here
    saved = load_saved_queries(settings.queries_dir, schema)
    if engine is not None:
        precompile_saved_queries(engine, schema, saved)
    graphql = CustomerGraphQL(schema, settings, PersistedQueries(saved), saved)
    intelligence = new_intelligence(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.start()
        tune_garbage_collector(settings.gc_threshold)
        try:
            async with running_intelligence(intelligence, runtime):
                yield
        finally:
            await runtime.close()

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/graphql", graphql),
            *([Mount(ASSETS_URL, GraphiQLAssets())] if settings.graphiql else []),
            Route("/views/{name}", saved_view, methods=["GET"]),
            Route("/dashboards/{role}", Dashboards(saved).page, methods=["GET"]),
            Mount(DASHBOARD_ASSETS_URL, dashboard_assets()),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", PrometheusMetrics()),
            Mount("/metrics", make_asgi_app()),  # /metrics/ as before
        ],
        middleware=[
            Middleware(
                Admission,
                max_in_flight=settings.max_in_flight,
                max_per_client=settings.max_in_flight_per_client,
                trusted_proxies=settings.trusted_proxies,
            ),
            Middleware(
                RequestBodyLimits,
                max_body_bytes=settings.max_body_bytes,
                read_timeout_s=settings.body_read_timeout_s,
            ),
        ],
        exception_handlers={HTTPException: http_refusal},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.schema = schema
    app.state.saved_queries = saved
    app.state.engine = engine
    app.state.intelligence = intelligence
    return app
