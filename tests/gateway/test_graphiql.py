"""GraphiQL is served whole by the gateway: no CDN, pinned files, the saved queries open.

The browser run is in tests/browser/; these read the page and its assets over HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import aiohttp
import strawberry
from multidict import CIMultiDict

from gateway.graphiql import ASSETS_DIR, CONTENT_SECURITY_POLICY, render_graphiql
from gateway.saved_queries import load_saved_queries
from queries import saved_queries_dir
from schema import build_schema

STRAWBERRY_PAGE = Path(strawberry.__file__).parent / "static" / "graphiql.html"
SETTINGS_BLOCK = re.compile(
    r'<script type="application/json" id="c360-graphiql-settings">(.*?)</script>', re.S
)


def _sri(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


async def _get(url: str, **headers: str) -> tuple[int, CIMultiDict[str], bytes]:
    async with aiohttp.ClientSession() as session:
        async with session.get(url, headers=headers) as resp:
            return resp.status, CIMultiDict(resp.headers), await resp.read()


async def test_page_loads_every_asset_from_the_gateway_itself(gateway_url: str) -> None:
    status, headers, body = await _get(gateway_url + "/graphql", accept="text/html")
    assert status == 200
    page = body.decode()
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "unpkg.com" not in page
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    integrity = dict(re.findall(r'(?:src|href)="([^"]+)" integrity="([^"]+)"', page))
    assert len(urls) == 9 and all(url.startswith("/graphiql-assets/") for url in urls)
    for url in urls:
        status, asset_headers, content = await _get(gateway_url + url)
        assert status == 200, url
        assert _sri(content) == integrity[url], url  # the browser would refuse it otherwise
        assert "immutable" in asset_headers["cache-control"]
        kind = "javascript" if url.split("?")[0].endswith(".js") else "css"
        assert kind in asset_headers["content-type"], url


async def test_a_bare_asset_url_is_revalidated_not_cached_for_a_year(gateway_url: str) -> None:
    url = gateway_url + "/graphiql-assets/graphiql-3.8.3/graphiql.min.js"
    status, headers, _ = await _get(url)
    assert status == 200 and headers["cache-control"] == "no-cache"


def test_the_policy_allows_this_origin_only() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"  # scripts, styles, fetch, websocket
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY


def test_vendored_files_are_the_ones_strawberry_pins() -> None:
    """Same files as Strawberry's CDN page: its sha384 integrity pins match ours byte for byte."""
    pinned = set(re.findall(r'integrity="(sha384-[^"]+)"', STRAWBERRY_PAGE.read_text()))
    manifest = json.loads((ASSETS_DIR / "manifest.json").read_text(encoding="utf-8"))
    files = [file for package in manifest["packages"] for file in package["files"]]
    ours = {_sri((ASSETS_DIR / file["path"]).read_bytes()) for file in files}
    assert ours == {file["integrity"] for file in files}
    assert ours == pinned
    for package in manifest["packages"]:
        licence = (ASSETS_DIR / package["licence"]).read_text(encoding="utf-8")
        assert "MIT License" in licence and "Permission is hereby granted" in licence


async def test_page_opens_on_the_agent_query_with_a_demo_phone(gateway_url: str) -> None:
    _, _, body = await _get(gateway_url + "/graphql", accept="text/html")
    match = SETTINGS_BLOCK.search(body.decode())
    assert match is not None
    tabs = json.loads(match.group(1))["tabs"]
    assert tabs[0]["name"] == "agent"
    assert "query AgentView($phone: String!)" in tabs[0]["query"]
    assert json.loads(tabs[0]["variables"]) == {"phone": "(555) 010-2345"}
    shipped = sorted(p.stem for p in saved_queries_dir().glob("*.graphql"))
    assert sorted(tab["name"] for tab in tabs) == shipped


def test_a_saved_query_cannot_break_out_of_the_settings_block(tmp_path: Path) -> None:
    (tmp_path / "sneaky.graphql").write_text(
        "# </script><script>alert(1)</script>\nquery Sneaky { __typename }\n"
    )
    saved = load_saved_queries(tmp_path, build_schema([]))
    page = render_graphiql(saved)
    assert "<script>alert(1)" not in page
    match = SETTINGS_BLOCK.search(page)
    assert match is not None
    assert json.loads(match.group(1))["tabs"][0]["query"].startswith("# </script><script>")


async def test_with_graphiql_off_its_assets_are_not_served(
    start_gateway: Callable[..., str],
) -> None:
    url = start_gateway(graphiql=False)
    status, _, _ = await _get(url + "/graphiql-assets/graphiql-3.8.3/graphiql.min.js")
    assert status == 404
