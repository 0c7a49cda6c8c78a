"""Proposing a source's ``auth``/``headers`` from the document's security schemes.

Secrets are never in a document: the skeleton names environment variables
(``BILLING_CLIENT_ID``...) for them, so the file can be committed and
``check-config`` says which variable is still unset.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from sources.openapi.document import Document
from sources.openapi.writer import Node


def auth_nodes(doc: Document, source: str, base_url: str) -> list[Node]:
    """The ``auth`` or ``headers`` node for the first usable scheme (OAuth2 client
    credentials before a bearer token before an API key); none without schemes."""
    components = doc.raw.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict):
        return []
    resolved = {str(name): doc.resolve(scheme) for name, scheme in schemes.items()}
    prefix = source.upper()
    for name, scheme in resolved.items():
        token_url = _client_credentials_url(scheme)
        if token_url is not None:
            if token_url.startswith("/") and base_url.startswith("${"):
                token_url = f"{base_url}{token_url}"
            elif not token_url.startswith(("http://", "https://")):
                token_url = urljoin(base_url, token_url)  # relative to the server (RFC 3986)
            credentials = [
                Node("token_url", token_url),
                Node("client_id", f"${{{prefix}_CLIENT_ID}}"),
                Node("client_secret", f"${{{prefix}_CLIENT_SECRET}}"),
            ]
            scopes = _scopes(scheme)
            if scopes:
                credentials.append(Node("scope", " ".join(scopes), note="REVIEW: every scope"))
            return [
                Node(
                    "auth",
                    children=[Node("oauth2_client_credentials", children=credentials)],
                    note=f"REVIEW: from security scheme '{name}'; "
                    f"set {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET",
                )
            ]
    for name, scheme in resolved.items():
        header = _header(scheme, prefix)
        if header is not None:
            note = f"REVIEW: from security scheme '{name}'; set the variable"
            return [Node("headers", {header[0]: header[1]}, note=note)]
    return []


def _client_credentials_url(scheme: dict[str, Any]) -> str | None:
    if scheme.get("type") != "oauth2":
        return None
    flows = scheme.get("flows")
    flow = flows.get("clientCredentials") if isinstance(flows, dict) else None
    url = flow.get("tokenUrl") if isinstance(flow, dict) else None
    return url if isinstance(url, str) and url else None


def _scopes(scheme: dict[str, Any]) -> list[str]:
    flow = scheme["flows"]["clientCredentials"]
    scopes = flow.get("scopes")
    return [str(s) for s in scopes] if isinstance(scopes, dict) else []


def _header(scheme: dict[str, Any], prefix: str) -> tuple[str, str] | None:
    kind = scheme.get("type")
    if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        return "Authorization", f"Bearer ${{{prefix}_TOKEN}}"
    if kind == "apiKey" and scheme.get("in") == "header" and isinstance(scheme.get("name"), str):
        return str(scheme["name"]), f"${{{prefix}_API_KEY}}"
    return None
