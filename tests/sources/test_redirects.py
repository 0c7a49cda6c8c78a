"""A source that answers with a redirect is not followed: its API key stays with it.

aiohttp follows redirects by default and drops only ``Authorization`` on the way,
so a help desk answering ``302 Location: http://elsewhere/steal`` sent its
configured ``X-Api-Key`` to that host, and that host's answer was served as the
source's. The connector now refuses the redirect as the source's bad answer,
naming where it pointed by scheme and host only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from sources.errors import SourceBadResponse
from tests.sources.test_bounded_answers import SickSource, connector_for, rest_source

pytest_plugins = ["tests.sources.test_bounded_answers"]


@pytest.fixture
async def elsewhere() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """Another host, recording the headers of every request that reaches it."""
    seen: list[dict[str, str]] = []

    async def capture(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"data": []})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", capture)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/"), seen
    await server.close()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_is_refused_and_the_key_never_leaves(
    sick: SickSource, elsewhere: tuple[str, list[dict[str, str]]], status: int
) -> None:
    target, seen = elsewhere

    async def redirect(_request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": f"{target}/steal?token=abc"})

    sick.handler = redirect
    connector = await connector_for(rest_source(sick.url, headers={"X-Api-Key": "k3y-s3cret"}))
    try:
        with pytest.raises(SourceBadResponse) as refused:
            await connector.fetch("contacts", "email", ["ada@example.com"], timeout_s=5)
    finally:
        await connector.close()
    assert seen == []
    assert sick.requests == 1
    message = str(refused.value)
    assert f"answered HTTP {status} redirecting to {target}; redirects are not followed" in message
    assert "token=abc" not in message and "steal" not in message
