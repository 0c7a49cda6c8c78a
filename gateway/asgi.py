"""The uvicorn entry point: ``uvicorn --factory gateway.asgi:create_app``."""

from __future__ import annotations

from starlette.applications import Starlette

from gateway.app import create_app as _create_app


def create_app() -> Starlette:
    """Settings from the environment (each worker process reads them itself)."""
    return _create_app()
