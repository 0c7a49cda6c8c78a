"""One small page per role (agent, CMO, CEO) that renders its saved query through ``/views/``.

Plain HTML, CSS and a little JavaScript from ``static/dashboards/``, no build step
and no request leaving the gateway (the same ``'self'``-only policy as GraphiQL).
A page fetches ``/views/<role>`` with its query string, draws the answer, shows
a banner for every error in it (a source that is down) and refreshes itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from gateway.graphiql import CONTENT_SECURITY_POLICY, GraphiQLAssets
from gateway.graphql_http import error_response
from gateway.saved_queries import SavedQuery

DASHBOARDS_DIR = Path(__file__).resolve().parent / "static" / "dashboards"
DASHBOARD_ASSETS_URL = "/dashboards/assets"
ROLES: dict[str, str] = {
    "agent": "Call-center agent",
    "cmo": "Chief marketing officer",
    "ceo": "Chief executive",
}
"""Every role with a dashboard (its page is ``<role>.html``, its data ``/views/<role>``)."""
REFRESH_SECONDS = 30


def dashboard_assets() -> GraphiQLAssets:
    """The pages' scripts and styles; linked with ``?v=<content hash>``, cached for a year."""
    return GraphiQLAssets(DASHBOARDS_DIR)


def _versioned(name: str) -> str:
    digest = hashlib.sha256((DASHBOARDS_DIR / name).read_bytes()).hexdigest()[:16]
    return f"{DASHBOARD_ASSETS_URL}/{name}?v={digest}"


def render_page(role: str) -> str:
    """A role's page: its own body (``<role>.html``) in the shared frame, assets versioned."""
    body = (DASHBOARDS_DIR / f"{role}.html").read_text(encoding="utf-8")
    nav = "".join(
        f'<a href="/dashboards/{name}"{" aria-current=page" if name == role else ""}>{title}</a>'
        for name, title in ROLES.items()
    )
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Customer 360 · {ROLES[role]}</title>
    <link rel="stylesheet" href="{_versioned("dashboard.css")}" />
  </head>
  <body data-view="{role}" data-refresh="{REFRESH_SECONDS}">
    <header><strong>Customer 360</strong><nav>{nav}</nav><span id="status"></span></header>
    <div id="errors" class="banner" role="alert" hidden></div>
    <main>
{body}
    </main>
    <script src="{_versioned("dashboard.js")}"></script>
    <script src="{_versioned(f"{role}.js")}"></script>
  </body>
</html>
"""


class Dashboards:
    """``GET /dashboards/{role}``: pages rendered once at start, for the saved views that exist."""

    def __init__(self, saved: Mapping[str, SavedQuery]) -> None:
        self.pages = {role: render_page(role) for role in ROLES if role in saved}

    async def page(self, request: Request) -> Response:
        role = request.path_params.get("role", "")
        page = self.pages.get(role)
        if page is None:
            known = ", ".join(sorted(self.pages)) or "none"
            return error_response(404, f"no dashboard named '{role}' (known: {known})", "NOT_FOUND")
        return HTMLResponse(
            page,
            headers={
                "content-security-policy": CONTENT_SECURITY_POLICY,
                "x-content-type-options": "nosniff",
                "cache-control": "no-cache",
            },
        )
