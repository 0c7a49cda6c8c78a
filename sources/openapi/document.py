"""Reading an OpenAPI 3 document from a file or URL, bounded, and resolving its local ``$ref``s.

A document is a stranger's file: it is read with a timeout and a size cap, and
anything the importer cannot use is an ``OpenApiError`` whose one-line message
names what is missing, never a traceback.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from sources.yaml_text import YamlProblem, load_yaml

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""A larger OpenAPI document is refused while it is read."""

FETCH_TIMEOUT_S = 10.0
METHODS = ("get", "post")
"""The operations a lookup can use (reads; POST for batch bodies)."""

_MAX_REF_DEPTH = 32
_SERVER = re.compile(r"https?://[^\s/{}]+(/[^\s{}]*)?")

Schema = dict[str, Any]


class OpenApiError(ValueError):
    """The document cannot be read or used; the message is one line naming what is missing."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One GET or POST of the document, its parameters merged with its path's."""

    method: str
    path: str
    operation_id: str
    parameters: tuple[Schema, ...]
    request_body: Schema | None
    response: Schema | None
    """The schema of the first 2xx JSON answer, as written (a ``$ref`` names the record)."""


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed OpenAPI 3 document and where it came from."""

    raw: dict[str, Any]
    origin: str

    @property
    def title(self) -> str:
        info = self.raw.get("info")
        if isinstance(info, dict):
            return f"{info.get('title', '?')} {info.get('version', '')}".strip()
        return "?"

    def server_url(self) -> str | None:
        """The first server's URL (variables at their defaults), absolute against a URL origin."""
        servers = self.raw.get("servers")
        if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
            return None
        url = servers[0].get("url")
        if not isinstance(url, str) or not url:
            return None
        variables = servers[0].get("variables")
        if isinstance(variables, dict):
            for name, spec in variables.items():
                if isinstance(spec, dict) and "default" in spec:
                    url = url.replace("{" + str(name) + "}", str(spec["default"]))
        if urlsplit(url).scheme not in ("http", "https"):
            if urlsplit(self.origin).scheme not in ("http", "https"):
                return None
            url = urljoin(self.origin, url)
        url = url.rstrip("/")
        return url if _SERVER.fullmatch(url) else None

    def resolve(self, schema: Any, depth: int = 0) -> Schema:
        """``schema`` with its ``$ref`` (a local ``#/...`` pointer) followed; {} when unusable."""
        while isinstance(schema, dict) and "$ref" in schema:
            if depth > _MAX_REF_DEPTH:
                return {}
            schema = self._pointer(schema["$ref"])
            depth += 1
        return schema if isinstance(schema, dict) else {}

    def _pointer(self, ref: Any) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return {}  # an external reference: not followed
        current: Any = self.raw
        for step in ref[2:].split("/"):
            step = step.replace("~1", "/").replace("~0", "~")
            if not isinstance(current, dict) or step not in current:
                return {}
            current = current[step]
        return current

    def operations(self) -> Iterator[Operation]:
        """Every GET and POST, in document order."""
        paths = self.raw.get("paths")
        assert isinstance(paths, dict)  # checked by ``parse_document``
        for path, item in paths.items():
            item = self.resolve(item)
            shared = [self.resolve(p) for p in _listed(item.get("parameters"))]
            for method in METHODS:
                operation = self.resolve(item.get(method))
                if not operation or not str(path).startswith("/"):
                    continue
                own = [self.resolve(p) for p in _listed(operation.get("parameters"))]
                names = {(p.get("name"), p.get("in")) for p in own}
                merged = [p for p in shared if (p.get("name"), p.get("in")) not in names] + own
                body = self.resolve(operation.get("requestBody"))
                yield Operation(
                    method=method.upper(),
                    path=str(path),
                    operation_id=str(operation.get("operationId") or f"{method} {path}"),
                    parameters=tuple(p for p in merged if isinstance(p.get("name"), str)),
                    request_body=self._json_schema(body) if body else None,
                    response=self._answer(operation.get("responses")),
                )

    def _answer(self, responses: Any) -> Schema | None:
        if not isinstance(responses, dict):
            return None
        for status in sorted(str(s) for s in responses):
            if status.startswith("2") or status == "default":
                schema = self._json_schema(self.resolve(responses.get(status)))
                if schema is not None:
                    return schema
        return None

    def _json_schema(self, described: Schema) -> Schema | None:
        content = described.get("content")
        if not isinstance(content, dict):
            return None
        for media, spec in content.items():
            schema = spec.get("schema") if isinstance(spec, dict) else None
            if "json" in str(media) and isinstance(schema, dict):
                return schema  # unresolved: its reference names the record
        return None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def read_document(location: str) -> Document:
    """The document at a file path or an http(s) URL; raises ``OpenApiError``."""
    if urlsplit(location).scheme in ("http", "https"):
        text = _fetch(location)
    else:
        file = Path(location)
        try:
            with file.open("rb") as handle:
                data = handle.read(MAX_DOCUMENT_BYTES + 1)
        except OSError as exc:
            raise OpenApiError(f"{location}: cannot read: {exc.strerror}") from None
        text = _decoded(location, data)
    return parse_document(text, location)


def _fetch(url: str) -> str:
    request = urllib.request.Request(url, headers={"Accept": "application/json, */*"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as answer:
            data = answer.read(MAX_DOCUMENT_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise OpenApiError(f"{url}: answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OpenApiError(f"{url}: cannot fetch: {reason}") from None
    return _decoded(url, data)


def _decoded(location: str, data: bytes) -> str:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise OpenApiError(f"{location}: larger than {MAX_DOCUMENT_BYTES} bytes; not read further")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OpenApiError(f"{location}: not UTF-8 text") from None


def parse_document(text: str, origin: str) -> Document:
    """JSON or YAML text as an OpenAPI 3 document with paths; raises ``OpenApiError``."""
    try:
        raw = json.loads(text)
    except RecursionError:
        raise OpenApiError(f"{origin}: nested too deeply to read") from None
    except ValueError:
        try:
            raw = load_yaml(text)
        except YamlProblem as exc:
            raise OpenApiError(
                f"{origin}: neither JSON nor YAML the importer reads ({exc})"
            ) from None
    if not isinstance(raw, dict):
        raise OpenApiError(f"{origin}: not an OpenAPI document (expected a mapping at the top)")
    version = raw.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        if "swagger" in raw:
            raise OpenApiError(
                f"{origin}: Swagger {raw['swagger']} is not supported; convert it to OpenAPI 3"
            )
        raise OpenApiError(f"{origin}: missing 'openapi: 3.x' (not an OpenAPI 3 document)")
    paths = raw.get("paths")
    if not isinstance(paths, dict) or not paths:
        raise OpenApiError(f"{origin}: missing 'paths' (the document declares no operations)")
    return Document(raw, origin)
