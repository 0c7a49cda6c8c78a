"""OAuth2 client credentials against a real token endpoint and source on 127.0.0.1.

The server issues tokens, counts how often it is asked for one, and can revoke
them (the source then answers 401) or refuse the client outright.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import encode_basic_auth, web
from aiohttp.test_utils import TestServer

from sources.config import RestSource, parse_sources_config
from sources.errors import ConfigError, SourceRejected, SourceUnavailable
from sources.rest import RestConnector

SECRET = "s3cr3t-value-never-logged"


@dataclass
class Issuer:
    """A token endpoint and a source that accepts only its live tokens."""

    url: str = ""
    token_requests: list[dict[str, str]] = field(default_factory=list)
    live: set[str] = field(default_factory=set)
    seen_tokens: list[str] = field(default_factory=list)
    refuse_with: int | None = None
    expires_in: int = 3600


@pytest.fixture
async def issuer() -> AsyncIterator[Issuer]:
    state = Issuer()

    async def token(request: web.Request) -> web.Response:
        form = dict(await request.post())
        header = request.headers.get("Authorization", "")
        form["basic"] = header
        form["basic_ok"] = str(header == encode_basic_auth("gw-client", SECRET))
        state.token_requests.append({k: str(v) for k, v in form.items()})
        if state.refuse_with is not None:
            return web.json_response({"error": "invalid_client"}, status=state.refuse_with)
        issued = f"tok-{len(state.token_requests)}"
        state.live.add(issued)
        return web.json_response(
            {"access_token": issued, "token_type": "Bearer", "expires_in": state.expires_in}
        )

    async def contacts(request: web.Request) -> web.Response:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        state.seen_tokens.append(bearer)
        if bearer not in state.live:
            return web.json_response({"error": "invalid_token"}, status=401)
        ids = request.query["ids"].split(",")
        return web.json_response({"data": [{"id": i} for i in ids]})

    app = web.Application()
    app.router.add_post("/oauth/token", token)
    app.router.add_get("/contacts", contacts)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state.url = str(server.make_url("")).rstrip("/")
    try:
        yield state
    finally:
        await server.close()


def source(issuer: Issuer, **credentials: Any) -> RestSource:
    raw = {
        "kind": "rest",
        "base_url": issuer.url,
        "auth": {
            "oauth2_client_credentials": {
                "token_url": f"{issuer.url}/oauth/token",
                "client_id": "gw-client",
                "client_secret": SECRET,
                "scope": "contacts.read",
                **credentials,
            }
        },
        "entities": {
            "contacts": {
                "serves": "contacts",
                "lookups": {
                    "id": {"path": "/contacts", "query": {"ids": "{keys}"}, "match_on": "id"}
                },
                "fields": {"id": "id"},
            }
        },
    }
    parsed = parse_sources_config({"sources": {"crm": raw}}).sources["crm"]
    assert isinstance(parsed, RestSource)
    return parsed


@pytest.fixture
async def crm(issuer: Issuer) -> AsyncIterator[RestConnector]:
    connector = RestConnector("crm", source(issuer))
    await connector.start()
    try:
        yield connector
    finally:
        await connector.close()


async def test_one_token_is_fetched_for_many_calls_and_sent_as_bearer(
    issuer: Issuer, crm: RestConnector
) -> None:
    answers = await asyncio.gather(
        *(crm.fetch("contacts", "id", [f"c{n}"], timeout_s=5) for n in range(5))
    )

    assert [a[0] for a in answers] == [[{"id": f"c{n}"}] for n in range(5)]
    assert len(issuer.token_requests) == 1
    asked = issuer.token_requests[0]
    assert asked["grant_type"] == "client_credentials"
    assert asked["scope"] == "contacts.read"
    assert asked["basic_ok"] == "True"
    assert issuer.seen_tokens == ["tok-1"] * 5


async def test_a_revoked_token_is_refreshed_once_and_the_call_retried(
    issuer: Issuer, crm: RestConnector
) -> None:
    await crm.fetch("contacts", "id", ["c1"], timeout_s=5)
    issuer.live.clear()  # the CRM revokes every token early

    (answer,) = await crm.fetch("contacts", "id", ["c2"], timeout_s=5)

    assert answer == [{"id": "c2"}]
    assert issuer.seen_tokens == ["tok-1", "tok-1", "tok-2"]
    assert len(issuer.token_requests) == 2


async def test_a_token_the_source_keeps_refusing_is_rejected_after_one_refresh(
    issuer: Issuer, crm: RestConnector
) -> None:
    issuer.live = _Revoking()  # every token is refused, the fresh one too
    crm_fetch = crm.fetch("contacts", "id", ["c1"], timeout_s=5)
    with pytest.raises(SourceRejected, match="answered HTTP 401"):
        await crm_fetch
    assert len(issuer.token_requests) == 2
    assert len(issuer.seen_tokens) == 2


class _Revoking(set[str]):
    """A token set that holds nothing: every token is refused."""

    def __contains__(self, item: object) -> bool:
        return False


async def test_an_expired_token_is_replaced_before_use(issuer: Issuer) -> None:
    issuer.expires_in = 10  # under the 30 s refresh margin: stale at once
    connector = RestConnector("crm", source(issuer))
    await connector.start()
    try:
        await connector.fetch("contacts", "id", ["c1"], timeout_s=5)
        await connector.fetch("contacts", "id", ["c2"], timeout_s=5)
    finally:
        await connector.close()

    assert len(issuer.token_requests) == 2
    assert issuer.seen_tokens == ["tok-1", "tok-2"]


@pytest.mark.parametrize(("status", "error"), [(401, SourceRejected), (503, SourceUnavailable)])
async def test_a_refusing_token_endpoint_is_a_typed_error_naming_the_source_not_the_secret(
    issuer: Issuer,
    crm: RestConnector,
    status: int,
    error: type[Exception],
    caplog: pytest.LogCaptureFixture,
) -> None:
    issuer.refuse_with = status
    caplog.set_level(logging.DEBUG)

    with pytest.raises(error) as caught:
        await crm.fetch("contacts", "id", ["c1"], timeout_s=5)

    assert str(caught.value).startswith("crm: token endpoint")
    assert issuer.seen_tokens == []  # the source was never called without a token
    assert SECRET not in str(caught.value)
    assert SECRET not in caplog.text


async def test_client_secret_post_sends_the_credentials_in_the_form(issuer: Issuer) -> None:
    connector = RestConnector("crm", source(issuer, client_auth="post"))
    await connector.start()
    try:
        await connector.fetch("contacts", "id", ["c1"], timeout_s=5)
    finally:
        await connector.close()

    asked = issuer.token_requests[0]
    assert (asked["client_id"], asked["client_secret"], asked["basic"]) == (
        "gw-client",
        SECRET,
        "",
    )


def test_the_secret_does_not_show_in_the_parsed_config(issuer: Issuer) -> None:
    parsed = source(issuer)
    assert SECRET not in repr(parsed)
    assert SECRET not in str(parsed.model_dump())


def test_oauth_config_errors_name_the_source_and_field() -> None:
    raw = {
        "kind": "rest",
        "base_url": "http://x",
        "auth": {"oauth2_client_credentials": {"token_url": "x", "client_id": "a"}},
        "entities": {
            "c": {
                "serves": "contacts",
                "lookups": {"id": {"path": "/c/{key}"}},
                "fields": {"id": "id"},
            }
        },
    }
    with pytest.raises(ConfigError) as caught:
        parse_sources_config({"sources": {"crm": raw}})
    message = str(caught.value)
    assert "source 'crm', field 'auth.oauth2_client_credentials.token_url'" in message
    assert "source 'crm', field 'auth.oauth2_client_credentials.client_secret'" in message
