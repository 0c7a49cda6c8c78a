"""The REST connector: batched GETs/POSTs to a source system over one pooled aiohttp session.

An answer is read at most ``max_response_bytes`` far (a larger one is refused
mid-read, never buffered whole), parsed without stalling the event loop
(``answer_json``) and checked against the keys asked (``answers``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import aiohttp
import orjson
from yarl import URL

from sources.answer_json import MalformedJson, parse_answer
from sources.answers import records_for_keys
from sources.arguments import NOTHING_PUSHED, Pushed
from sources.base import SizedAnswers
from sources.config import KEY_PARTS, Entity, Lookup, RestSource
from sources.errors import (
    SourceBadResponse,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
)
from sources.groups import records_of_groups
from sources.key_formats import sent_keys
from sources.metrics import SOURCE_PAGES
from sources.oauth import TokenSource
from sources.paging import PageLoop, Pages
from sources.records_path import records_at

__all__ = ["KEY_PARTS", "RestConnector"]

READ_CHUNK_BYTES = 64 * 1024

REPEATED_KEYS = "{keys*}"
"""A query value that sends each key as its own parameter: ``id: "{keys*}"`` is ``?id=a&id=b``."""

Params = list[tuple[str, str]]


class RequestBudget(Protocol):
    """What admits one more request to the source (``SourceBudget``): each page after the first."""

    async def acquire(self, entity: str, remaining: float, *, slot: bool = True) -> float: ...

    def release(self, *, slot: bool = True) -> None: ...


class RestConnector:
    """Talks to one REST source: one session per process, a batch per call, keys matched back."""

    def __init__(self, name: str, source: RestSource) -> None:
        self.name = name
        self.source = source
        self._session: aiohttp.ClientSession | None = None
        self._origin = URL(source.base_url).origin()
        self._base = URL(source.base_url.rstrip("/") + "/")
        self._pages_counter = SOURCE_PAGES.labels(name)
        auth = source.auth
        self.tokens = (
            TokenSource(name, auth.oauth2_client_credentials) if auth is not None else None
        )
        """The source's OAuth2 token, when it has ``auth: oauth2_client_credentials``."""
        self.page_budget: RequestBudget | None = None
        """Admits each page after a call's first (the wrapping connector's budget, if any)."""
        self._lookups: dict[tuple[str, str], tuple[Entity, Lookup, int]] = {}
        """Per (entity, kind): its spec, lookup and keys per request (the config is frozen)."""

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                base_url=self.source.base_url.rstrip("/") + "/",
                headers=self.source.headers,
                timeout=aiohttp.ClientTimeout(total=self.source.timeout_ms / 1000),
                connector=aiohttp.TCPConnector(
                    limit=self.source.max_connections, keepalive_timeout=30
                ),
                json_serialize=lambda obj: orjson.dumps(obj).decode(),
            )
        if self.tokens is not None:
            await self.tokens.start()

    async def close(self) -> None:
        if self.tokens is not None:
            await self.tokens.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(
        self,
        entity: str,
        kind: str,
        keys: Sequence[str],
        *,
        timeout_s: float,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> SizedAnswers:
        """Per key, its records (``KeyAnswer``s) and the answer's bytes; ``arguments`` (pushed
        field arguments) go as query parameters."""
        found = self._lookups.get((entity, kind))
        if found is None:
            spec = self.source.entities[entity]
            lookup = spec.lookups[kind]
            found = self._lookups[(entity, kind)] = (
                spec,
                lookup,
                1 if lookup.per_key else lookup.max_batch,
            )
        spec, lookup, step = found
        groups = (
            [list(keys)]
            if 0 < len(keys) <= step
            else [list(keys[i : i + step]) for i in range(0, len(keys), step)]
        )
        deadline = asyncio.get_running_loop().time() + timeout_s
        try:
            async with asyncio.timeout(timeout_s):
                if len(groups) == 1:  # the usual batch: a gather would only add a task
                    return await self._fetch_group(
                        entity, spec, lookup, kind, groups[0], deadline, arguments
                    )
                parts = await asyncio.gather(
                    *(
                        self._fetch_group(entity, spec, lookup, kind, group, deadline, arguments)
                        for group in groups
                    )
                )
        except TimeoutError:
            raise SourceTimeout(
                self.name, f"no answer within {timeout_s * 1000:.0f} ms", entity=entity
            ) from None
        return SizedAnswers(
            (records for part in parts for records in part),
            sum(part.body_bytes for part in parts),
        )

    async def _fetch_group(
        self,
        entity: str,
        spec: Entity,
        lookup: Lookup,
        kind: str,
        keys: list[str],
        deadline: float,
        arguments: Pushed = NOTHING_PUSHED,
    ) -> SizedAnswers:
        sent = sent_keys(lookup.key_format, kind, keys)
        wire = sent.sent if sent is not None else keys
        params = _params(lookup.query, kind, wire)
        if arguments:
            params = _with(params, {param: str(value) for param, value in arguments})
        path = _fill(lookup.path or "/", kind, wire, quote_values=True).lstrip("/")
        body = _fill_json(lookup.json_body, kind, wire) if lookup.json_body is not None else None
        group = lookup.group
        at = group.at if group is not None and group.at is not None else spec.records_at
        # The first page is asked for here, not in one more frame below (resumed at each wait).
        paging = lookup.paging
        if paging is not None:
            params = _with(params, paging.first_params())
        allowance = self.source.max_response_bytes
        payload, size = await self._request(
            entity, lookup.method, path, params, body, at, allowance
        )
        items = self._items(entity, payload, at)
        if paging is not None:
            items, size = await self._pages(
                entity, lookup, path, params, body, at, deadline, (payload, size, items)
            )
        if group is not None:
            return SizedAnswers(
                records_of_groups(
                    self.name,
                    entity,
                    group,
                    kind,
                    keys,
                    items,
                    sent,
                    by_position=lookup.by_position,
                ),
                size,
            )
        return SizedAnswers(
            records_for_keys(self.name, entity, lookup, kind, keys, items, sent), size
        )

    async def _pages(
        self,
        entity: str,
        lookup: Lookup,
        path: str,
        params: Params,
        body: Any,
        at: str,
        deadline: float,
        first: tuple[Any, int, list[dict[str, Any]]],
    ) -> tuple[list[dict[str, Any]], int]:
        """The items at ``at`` over all the answer's pages and their bytes, ``first`` the
        first page's (payload, size, items).

        ``max_response_bytes`` bounds all pages of one call together: paging
        does not multiply what one call may hold in memory.
        """
        paging = lookup.paging
        assert paging is not None
        allowance = self.source.max_response_bytes
        payload, size, items = first
        pages = Pages(paging)
        on_page = len(items)
        while True:
            try:
                following = pages.after(payload, on_page)
            except PageLoop as exc:
                raise SourceBadResponse(self.name, f"{entity}: {exc}", entity=entity) from None
            if following is None:
                return items, self.source.max_response_bytes - allowance + size
            allowance -= size
            if isinstance(following, str):
                url: str | URL = self._next_link(entity, following)
                page_params: Params = []
            else:
                url, page_params = path, _with(params, following)
            payload, size = await self._page(
                entity, lookup.method, url, page_params, body, at, allowance, deadline
            )
            page_items = self._items(entity, payload, at)
            on_page = len(page_items)
            items.extend(page_items)

    async def _page(
        self,
        entity: str,
        method: str,
        url: str | URL,
        params: Params,
        body: Any,
        at: str,
        allowance: int,
        deadline: float,
    ) -> tuple[Any, int]:
        """One page after the first: one more request, admitted by the budget and counted."""
        budget = self.page_budget
        if budget is not None:
            await budget.acquire(entity, deadline - asyncio.get_running_loop().time(), slot=False)
        try:
            self._pages_counter.inc()
            return await self._request(entity, method, url, params, body, at, allowance)
        finally:
            if budget is not None:
                budget.release(slot=False)

    def _next_link(self, entity: str, link: str) -> URL:
        """A next-page link, resolved against ``base_url``; another host's is refused.

        The session's headers (tokens) must not go wherever an answer points.
        """
        try:
            url = URL(link)
            url = url if url.absolute else self._base.join(url)
        except ValueError:
            raise SourceBadResponse(self.name, "next link is not a URL", entity=entity) from None
        if url.origin() != self._origin:
            raise SourceBadResponse(
                self.name,
                f"{entity}: next link points to another host than base_url; not followed",
                entity=entity,
            )
        return url

    def _items(self, entity: str, payload: Any, at: str) -> list[dict[str, Any]]:
        records = records_at(payload, at)
        if records is None:
            where = at or "the top level"
            raise SourceBadResponse(
                self.name, f"expected a list of records at '{where}'", entity=entity
            )
        return records

    async def _request(
        self,
        entity: str,
        method: str,
        path: str | URL,
        params: Params,
        body: Any,
        records_path: str,
        limit: int,
    ) -> tuple[Any, int]:
        """The parsed answer and its size in bytes (read at most ``limit`` far).

        With OAuth2, a 401 means the token was refused: a new one is fetched and
        the request made once more (a second 401 is ``SourceRejected``). The HTTP
        exchange is in this frame, not in one more below it: every frame on the
        stack is resumed at each of its waits, on every source call.
        """
        session = self._session
        if session is None:
            raise SourceUnavailable(self.name, "connector is not started", entity=entity)
        tokens = self.tokens
        token = await tokens.token(entity) if tokens is not None else None
        retried = False
        while True:
            headers = {"Authorization": f"Bearer {token}"} if token is not None else None
            try:
                # Redirects are not followed: aiohttp would send the source's configured
                # headers (API keys) on to wherever the answer points, dropping only
                # Authorization, and serve that host's answer as the source's.
                async with session.request(
                    method, path, params=params, json=body, headers=headers, allow_redirects=False
                ) as resp:
                    status = resp.status
                    location = resp.headers.get("Location") if 300 <= status < 400 else None
                    declared = resp.content_length
                    if (
                        declared is not None
                        and declared <= limit
                        and not resp.headers.get("Content-Encoding")
                    ):
                        data = await resp.read()  # the usual answer: its size is known and fits
                    else:
                        data = await self._bounded_body(entity, resp, limit, refuse=status < 400)
            except TimeoutError:
                raise SourceTimeout(
                    self.name, f"no answer within {self.source.timeout_ms} ms", entity=entity
                ) from None
            except aiohttp.ClientConnectionError as exc:
                raise SourceUnavailable(
                    self.name, f"connection failed ({type(exc).__name__})", entity=entity
                ) from None
            except aiohttp.ClientError as exc:
                raise SourceUnavailable(
                    self.name, f"request failed ({type(exc).__name__})", entity=entity
                ) from None
            if status != 401 or tokens is None or token is None or retried:
                break
            token = await tokens.refused(token, entity)  # asked once more with a new token
            retried = True
        if status >= 500:
            raise SourceUnavailable(self.name, f"answered HTTP {status}", entity=entity)
        if status >= 400:
            raise SourceRejected(self.name, f"answered HTTP {status}", entity=entity)
        if status >= 300:
            raise SourceBadResponse(self.name, _redirect_refused(status, location), entity=entity)
        try:
            return await parse_answer(data, records_path), len(data)
        except MalformedJson:
            raise SourceBadResponse(self.name, "answered malformed JSON", entity=entity) from None

    async def _bounded_body(
        self, entity: str, resp: aiohttp.ClientResponse, limit: int, *, refuse: bool
    ) -> bytes:
        """The body, read chunk by chunk; a ``SourceBadResponse`` as soon as it passes the limit.

        The limit counts decoded bytes (after gzip), so a compressed bomb stops too.
        An error answer's body (``refuse`` false) is only read, within the limit, so
        its connection can be reused; what it says does not matter. (An answer of a
        declared length within the limit, not encoded, is read whole by ``_request``.)
        """
        declared = resp.content_length
        if declared is not None and declared > limit and not resp.headers.get("Content-Encoding"):
            if refuse:
                raise self._too_large(entity, limit)
            return b""
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(READ_CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                if refuse:
                    raise self._too_large(entity, limit)
                return b""
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _too_large(self, entity: str, limit: int) -> SourceBadResponse:
        limit = self.source.max_response_bytes
        return SourceBadResponse(
            self.name,
            f"answer too large: more than max_response_bytes ({limit:,} bytes); not read further",
            entity=entity,
        )


def _params(query: dict[str, str], kind: str, keys: list[str]) -> Params:
    """The query parameters: ``{keys*}`` repeats its parameter per key, others are filled."""
    params: Params = []
    for name, template in query.items():
        if template == REPEATED_KEYS:
            params.extend((name, key) for key in keys)
        else:
            params.append((name, _fill(template, kind, keys)))
    return params


def _with(params: Params, replacing: dict[str, str]) -> Params:
    """``params`` with the parameters named in ``replacing`` set to its values."""
    if not replacing:
        return params
    return [(k, v) for k, v in params if k not in replacing] + list(replacing.items())


def _fill(template: str, kind: str, keys: list[str], *, quote_values: bool = False) -> str:
    """Substitute ``{keys}``, ``{keys.<part>}`` and ``{key}`` in a path or query template."""
    if "{" not in template:
        return template
    prepare = (lambda v: quote(v, safe="")) if quote_values else (lambda v: v)
    values: dict[str, str] = {"{keys}": ",".join(prepare(k) for k in keys)}
    if len(keys) == 1:
        values["{key}"] = prepare(keys[0])
    for index, part in enumerate(KEY_PARTS.get(kind, ())):
        values[f"{{keys.{part}}}"] = ",".join(prepare(k.split(",")[index]) for k in keys)
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template


def _fill_json(body: Any, kind: str, keys: list[str]) -> Any:
    """A JSON body template: the string ``"{keys}"`` becomes the list of keys."""
    if body == "{keys}":
        return list(keys)
    if isinstance(body, str):
        return _fill(body, kind, keys)
    if isinstance(body, dict):
        return {k: _fill_json(v, kind, keys) for k, v in body.items()}
    if isinstance(body, list):
        return [_fill_json(v, kind, keys) for v in body]
    return body


def _redirect_refused(status: int, location: str | None) -> str:
    """Why a redirect is the source's bad answer; the target named by scheme and host only
    (its path or query may carry what the source put there for the caller alone)."""
    target = urlsplit(location or "")
    where = f"{target.scheme}://{target.netloc}" if target.netloc else "a path of its own"
    return (
        f"answered HTTP {status} redirecting to {where}; redirects are not followed "
        "(the source's headers would go with them): point base_url or the path at "
        "where it answers"
    )
