"""The REST connector: batched GETs/POSTs to a source system over one pooled aiohttp session.

An answer is read at most ``max_response_bytes`` far (a larger one is refused
mid-read, never buffered whole), parsed without stalling the event loop
(``answer_json``) and checked against the keys asked (``answers``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson

from sources.answer_json import MalformedJson, parse_answer
from sources.answers import KeyAnswer, records_for_keys
from sources.config import KEY_PARTS, Entity, Lookup, RestSource
from sources.errors import (
    SourceBadResponse,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
)
from sources.records_path import records_at

__all__ = ["KEY_PARTS", "RestConnector"]

READ_CHUNK_BYTES = 64 * 1024


class RestConnector:
    """Talks to one REST source: one session per process, a batch per call, keys matched back."""

    def __init__(self, name: str, source: RestSource) -> None:
        self.name = name
        self.source = source
        self._session: aiohttp.ClientSession | None = None

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

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(
        self, entity: str, kind: str, keys: Sequence[str], *, timeout_s: float
    ) -> list[KeyAnswer]:
        spec = self.source.entities[entity]
        lookup = spec.lookups[kind]
        if lookup.per_key:
            groups = [[key] for key in keys]
        else:
            step = lookup.max_batch
            groups = [list(keys[i : i + step]) for i in range(0, len(keys), step)]
        try:
            async with asyncio.timeout(timeout_s):
                if len(groups) == 1:  # the usual batch: a gather would only add a task
                    return await self._fetch_group(entity, spec, lookup, kind, groups[0])
                parts = await asyncio.gather(
                    *(self._fetch_group(entity, spec, lookup, kind, group) for group in groups)
                )
        except TimeoutError:
            raise SourceTimeout(
                self.name, f"no answer within {timeout_s * 1000:.0f} ms", entity=entity
            ) from None
        return [records for part in parts for records in part]

    async def _fetch_group(
        self, entity: str, spec: Entity, lookup: Lookup, kind: str, keys: list[str]
    ) -> list[KeyAnswer]:
        params = {name: _fill(template, kind, keys) for name, template in lookup.query.items()}
        path = _fill(lookup.path or "/", kind, keys, quote_values=True).lstrip("/")
        body = _fill_json(lookup.json_body, kind, keys) if lookup.json_body is not None else None
        payload = await self._request(entity, lookup.method, path, params, body, spec.records_at)
        records = records_at(payload, spec.records_at)
        if records is None:
            where = spec.records_at or "the top level"
            raise SourceBadResponse(
                self.name, f"expected a list of records at '{where}'", entity=entity
            )
        return records_for_keys(self.name, entity, lookup, kind, keys, records)

    async def _request(
        self,
        entity: str,
        method: str,
        path: str,
        params: dict[str, str],
        body: Any,
        records_path: str,
    ) -> Any:
        if self._session is None:
            raise SourceUnavailable(self.name, "connector is not started", entity=entity)
        try:
            async with self._session.request(method, path, params=params, json=body) as resp:
                status = resp.status
                data = await self._bounded_body(entity, resp, refuse=status < 400)
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
        if status >= 500:
            raise SourceUnavailable(self.name, f"answered HTTP {status}", entity=entity)
        if status >= 400:
            raise SourceRejected(self.name, f"answered HTTP {status}", entity=entity)
        try:
            return await parse_answer(data, records_path)
        except MalformedJson:
            raise SourceBadResponse(self.name, "answered malformed JSON", entity=entity) from None

    async def _bounded_body(
        self, entity: str, resp: aiohttp.ClientResponse, *, refuse: bool
    ) -> bytes:
        """The body, read chunk by chunk; a ``SourceBadResponse`` as soon as it passes the limit.

        The limit counts decoded bytes (after gzip), so a compressed bomb stops too.
        An error answer's body (``refuse`` false) is only read, within the limit, so
        its connection can be reused; what it says does not matter.
        """
        limit = self.source.max_response_bytes
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
        return SourceBadResponse(
            self.name,
            f"answer too large: more than max_response_bytes ({limit:,} bytes); not read further",
            entity=entity,
        )


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
