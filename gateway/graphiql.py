"""GraphiQL served whole by the gateway: vendored assets, the product's saved queries as tabs.

Strawberry's own page loads React and GraphiQL from unpkg.com and stays at
"Loading..." without internet. This page loads the same files, at the same
pinned versions and integrity hashes, from ``/graphiql-assets/`` (see
``static/graphiql/README.md``), under a Content-Security-Policy that allows
only the gateway itself, so no request leaves the machine.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from gateway.saved_queries import SavedQuery

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
ASSETS_URL = "/graphiql-assets"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        # GraphiQL's stylesheet embeds its fonts and icons as data: URLs (no request).
        "font-src 'self' data:",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)
"""Scripts, styles and fetches: this origin only, nothing inline."""

EXAMPLE_VARIABLES: dict[str, Any] = {"phone": "(555) 010-2345"}
"""Ready-to-run values by variable name: the demo caller of the README (a CRM contact
whose number the orders system stores in another format)."""

FIRST_TABS = ("agent",)
"""Saved queries opened first, in this order; the rest follow by name."""

WELCOME = "# No saved queries in this gateway's queries folder.\n{ __typename }\n"


class GraphiQLAssets(StaticFiles):
    """The vendored files; a URL carrying the file's content hash (``?v=``) is cached for a year.

    The page always links with ``?v=``, so a new version of a file is a new URL;
    a bare URL is revalidated instead, so it can never serve a stale file forever.
    """

    def __init__(self, directory: Path = ASSETS_DIR) -> None:
        super().__init__(directory=directory)

    def file_response(
        self,
        full_path: Any,
        stat_result: Any,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["cache-control"] = (
            "public, max-age=31536000, immutable" if versioned else "no-cache"
        )
        response.headers["x-content-type-options"] = "nosniff"
        return response


@dataclass(frozen=True, slots=True)
class Asset:
    """One file the page loads: its URL (with content hash) and its Subresource Integrity."""

    url: str
    kind: str
    integrity: str


def _asset(path: str, kind: str, integrity: str | None = None) -> Asset:
    content = (ASSETS_DIR / path).read_bytes()
    version = hashlib.sha256(content).hexdigest()[:16]
    if integrity is None:
        integrity = "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()
    return Asset(f"{ASSETS_URL}/{path}?v={version}", kind, integrity)


def page_assets() -> list[Asset]:
    """The vendored files in load order (``manifest.json``), then our own script and style."""
    manifest = json.loads((ASSETS_DIR / "manifest.json").read_text(encoding="utf-8"))
    assets = [
        _asset(file["path"], file["kind"], file["integrity"])
        for package in manifest["packages"]
        for file in package["files"]
    ]
    return [*assets, _asset("page.css", "style"), _asset("page.js", "script")]


def saved_query_tabs(saved: Mapping[str, SavedQuery]) -> list[dict[str, str]]:
    """One GraphiQL tab per saved query, its variables filled in where an example is known."""
    order = [name for name in FIRST_TABS if name in saved]
    order += sorted(name for name in saved if name not in FIRST_TABS)
    tabs = []
    for name in order:
        query = saved[name]
        example = {v: EXAMPLE_VARIABLES[v] for v in query.variables if v in EXAMPLE_VARIABLES}
        tabs.append({"name": name, "query": query.text, "variables": json.dumps(example, indent=2)})
    return tabs


def _json_block(value: object) -> str:
    """JSON safe inside a ``<script type="application/json">`` (no ``</script>`` can close it)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_graphiql(saved: Mapping[str, SavedQuery], title: str = "Customer 360 GraphiQL") -> str:
    """The IDE page: vendored assets with their integrity pins and the saved queries as tabs."""
    assets = page_assets()
    styles = "\n".join(
        f'    <link rel="stylesheet" href="{a.url}" integrity="{a.integrity}" />'
        for a in assets
        if a.kind == "style"
    )
    scripts = "\n".join(
        f'    <script src="{a.url}" integrity="{a.integrity}"></script>'
        for a in assets
        if a.kind == "script"
    )
    settings = _json_block({"tabs": saved_query_tabs(saved), "welcome": WELCOME})
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>{html.escape(title)}</title>
{styles}
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading...</div>
    <script type="application/json" id="c360-graphiql-settings">{settings}</script>
{scripts}
  </body>
</html>
"""


@dataclass(frozen=True, slots=True)
class GraphiQLPage:
    """The page rendered once at start (saved queries do not change while serving)."""

    html: str

    @classmethod
    def for_saved_queries(cls, saved: Mapping[str, SavedQuery]) -> GraphiQLPage:
        return cls(render_graphiql(saved))

    def response(self) -> HTMLResponse:
        return HTMLResponse(
            self.html,
            headers={
                "content-security-policy": CONTENT_SECURITY_POLICY,
                "x-content-type-options": "nosniff",
                "cache-control": "no-cache",
            },
        )
