"""Gateway variants that exist only to be measured, never to be deployed.

``uvicorn --factory bench.gateways:create_unbatched_app`` is the gateway with
dataloader batching and the response cache off: the benchmark's ``unbatched``
row, showing what batching buys. It is not a production setting, so it is not
in ``gateway.settings``; the rest of the configuration is read from the
environment as for ``gateway.asgi:create_app``.
"""

from __future__ import annotations

from starlette.applications import Starlette

from gateway.app import create_app


def create_unbatched_app() -> Starlette:
    """The gateway with one source request per key and nothing cached."""
    return create_app(batching=False)
