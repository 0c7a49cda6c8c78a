"""Builds the per-request context: fresh loaders, the clock, the deadline, a request id."""

from __future__ import annotations

import asyncio
import itertools
import os
from datetime import UTC, datetime
from typing import Any

from starlette.requests import HTTPConnection

from gateway.settings import Settings
from resolvers.experience.figures import BusinessViewSettings
from resolvers.system.loaders import SystemLoaders
from schema.business import BUSINESS_VIEWS
from schema.context import Context

_PROCESS = os.urandom(8).hex()
_SEQUENCE = itertools.count(1)


def _new_process() -> None:
    global _PROCESS, _SEQUENCE  # a forked worker must not repeat its parent's ids
    _PROCESS, _SEQUENCE = os.urandom(8).hex(), itertools.count(1)


os.register_at_fork(after_in_child=_new_process)


def new_request_id() -> str:
    """A request id unique across replicas: this process's random prefix and a sequence.

    A random id per request (uuid4) costs a system call; this costs a counter step.
    """
    return f"{_PROCESS}{next(_SEQUENCE):016x}"


def new_context(request: HTTPConnection, response: Any, settings: Settings) -> Context:
    """Everything a request's resolvers share, and nothing they could leak to another request."""
    runtime = request.app.state.runtime
    deadline = asyncio.get_running_loop().time() + settings.request_deadline_ms / 1000
    request_id = request.headers.get("x-request-id") or new_request_id()
    if len(request_id) > 64 or not request_id.isprintable():
        request_id = new_request_id()
    return Context(
        loaders=SystemLoaders(runtime, deadline),
        now=datetime.now(UTC),
        request_id=request_id,
        request=request,
        response=response,
        intelligence=request.app.state.intelligence,
        extra={BUSINESS_VIEWS: business_views(request.app.state, settings)},
    )


def business_views(state: Any, settings: Settings) -> BusinessViewSettings:
    """The app's CMO/CEO view settings and figure cache, made on first use (one per app)."""
    views: BusinessViewSettings | None = getattr(state, "business_views", None)
    if views is None:
        views = state.business_views = BusinessViewSettings(
            ttl_s=settings.role_view_ttl_s, large_deal_amount=settings.large_deal_amount
        )
    return views
