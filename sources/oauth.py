"""OAuth2 client credentials for a REST source: one token, reused until it is about to expire.

CRMs and other SaaS systems hand out short-lived bearer tokens for a client id
and secret. The token is fetched once (concurrent calls wait for the same
fetch), reused until ``expires_in`` minus a margin, and fetched again once when
the source answers 401 (a token revoked early); the call is then retried once.
A token endpoint that refuses is a ``SourceRejected`` (4xx: the credentials are
wrong, retrying won't help) or ``SourceUnavailable`` (unreachable, 5xx), naming
the source. Neither the secret nor a token is ever put in a message or a log.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import aiohttp
import orjson
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from sources.errors import SourceBadResponse, SourceRejected, SourceUnavailable

MAX_TOKEN_ANSWER_BYTES = 64 * 1024
"""A token endpoint's answer is a few hundred bytes; more is not read."""

DEFAULT_EXPIRES_IN_S = 300.0
"""How long a token without ``expires_in`` is reused."""


class ClientCredentials(BaseModel):
    """``auth: { oauth2_client_credentials: {...} }`` of a REST source.

    ``client_secret`` is a ``SecretStr``: printing the config shows ``**********``.
    ``client_auth``: ``basic`` (HTTP Basic, RFC 6749's default) or ``post``
    (``client_id``/``client_secret`` in the form body).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    token_url: Annotated[str, Field(pattern=r"^https?://[^\s/]+")]
    client_id: Annotated[str, Field(min_length=1)]
    client_secret: SecretStr
    scope: str | None = None
    audience: str | None = None
    client_auth: Annotated[str, Field(pattern="^(basic|post)$")] = "basic"
    refresh_margin_s: Annotated[float, Field(ge=0, le=3_600)] = 30.0
    """A token is replaced this long before it expires (a call must not carry a dying one)."""
    timeout_ms: Annotated[int, Field(ge=1, le=60_000)] = 5_000


class Auth(BaseModel):
    """How a REST source authenticates beyond static ``headers``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    oauth2_client_credentials: ClientCredentials


class TokenSource:
    """One source's bearer token: fetched on first use, cached, replaced when stale or refused."""

    def __init__(self, source: str, credentials: ClientCredentials) -> None:
        self.source = source
        self.credentials = credentials
        self.fetches = 0
        self._token: str | None = None
        self._expires_at = 0.0
        self._fetching: asyncio.Future[str] | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            # A session of its own: the source's headers are not the token endpoint's business.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.credentials.timeout_ms / 1000)
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def token(self, entity: str) -> str:
        """A token valid for a while yet; fetched (once, whoever asks) when there is none."""
        loop = asyncio.get_running_loop()
        if self._token is not None and loop.time() < self._expires_at:
            return self._token
        return await self._fetched(entity)

    async def refused(self, token: str, entity: str) -> str:
        """The source answered 401 to ``token``: a new one (unless another call got it already)."""
        if token == self._token:
            self._token = None
        return await self.token(entity)

    async def _fetched(self, entity: str) -> str:
        fetching = self._fetching
        if fetching is None:
            fetching = asyncio.ensure_future(self._fetch(entity))
            self._fetching = fetching
            fetching.add_done_callback(self._fetch_done)
        return await asyncio.shield(fetching)

    def _fetch_done(self, done: asyncio.Future[str]) -> None:
        if self._fetching is done:
            self._fetching = None
        if not done.cancelled():
            done.exception()  # retrieved: a failure nobody awaits any more is not "lost"

    async def _fetch(self, entity: str) -> str:
        if self._session is None:
            raise SourceUnavailable(self.source, "connector is not started", entity=entity)
        creds = self.credentials
        form = {"grant_type": "client_credentials"}
        if creds.scope:
            form["scope"] = creds.scope
        if creds.audience:
            form["audience"] = creds.audience
        headers: dict[str, str] = {}
        if creds.client_auth == "basic":
            secret = creds.client_secret.get_secret_value()
            headers["Authorization"] = aiohttp.encode_basic_auth(creds.client_id, secret)
        else:
            form["client_id"] = creds.client_id
            form["client_secret"] = creds.client_secret.get_secret_value()
        self.fetches += 1
        try:
            # Not redirected: a 307/308 would send the client secret on to another host.
            async with self._session.post(
                creds.token_url, data=form, headers=headers, allow_redirects=False
            ) as resp:
                status = resp.status
                body = await resp.content.read(MAX_TOKEN_ANSWER_BYTES + 1)
        except TimeoutError:
            raise SourceUnavailable(
                self.source,
                f"token endpoint did not answer within {creds.timeout_ms} ms",
                entity=entity,
            ) from None
        except aiohttp.ClientError as exc:
            raise SourceUnavailable(
                self.source, f"token endpoint unreachable ({type(exc).__name__})", entity=entity
            ) from None
        if status >= 500:
            raise SourceUnavailable(
                self.source, f"token endpoint answered HTTP {status}", entity=entity
            )
        if status >= 400:
            raise SourceRejected(
                self.source,
                f"token endpoint refused the client credentials (HTTP {status})",
                entity=entity,
            )
        if status >= 300:
            raise SourceUnavailable(
                self.source,
                f"token endpoint answered HTTP {status} (a redirect, not followed: "
                "point token_url at where it answers)",
                entity=entity,
            )
        token, expires_in = _token_in(body)
        if token is None:
            raise SourceBadResponse(
                self.source, "token endpoint answered without an access_token", entity=entity
            )
        lifetime = max(0.0, expires_in - creds.refresh_margin_s)
        self._token = token
        self._expires_at = asyncio.get_running_loop().time() + lifetime
        return token


def _token_in(body: bytes) -> tuple[str | None, float]:
    """The ``access_token`` and ``expires_in`` (seconds) of a token answer, if it has one."""
    if len(body) > MAX_TOKEN_ANSWER_BYTES:
        return None, 0.0
    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None, 0.0
    if not isinstance(answer, dict):
        return None, 0.0
    token = answer.get("access_token")
    expires_in = answer.get("expires_in", DEFAULT_EXPIRES_IN_S)
    if not isinstance(expires_in, int | float) or isinstance(expires_in, bool):
        expires_in = DEFAULT_EXPIRES_IN_S
    return (token if isinstance(token, str) and token else None), float(expires_in)
