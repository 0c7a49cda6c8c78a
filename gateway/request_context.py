"""Builds the per-request context: fresh loaders, the clock, the deadline, a request id."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import HTTPConnection

from gateway.settings import Settings
from resolvers.system.loaders import SystemLoaders
from schema.context import Context


def new_context(request: HTTPConnection, response: Any, settings: Settings) -> Context:
    """Everything a request's resolvers share, and nothing they could leak to another request."""
    runtime = request.app.state.runtime
    deadline = asyncio.get_running_loop().time() + settings.request_deadline_ms / 1000
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    if len(request_id) > 64 or not request_id.isprintable():
        request_id = uuid.uuid4().hex
    return Context(
        loaders=SystemLoaders(runtime, deadline),
        now=datetime.now(UTC),
        request_id=request_id,
        request=request,
        response=response,
    )
