"""Foreign systems join through config alone: other paths, shapes, names, auth, no batching."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web

from gateway.settings import DEMO_SOURCES
from tests.demo_harness import DemoSources, graphql
from tests.integration.world import contact, planted

TOKEN = "s3cret-token"


def helpdesk_app(calls: list[dict[str, Any]]) -> web.Application:
    """A second support desk: POST JSON, bearer auth, its own names, records nested deep."""

    async def search(request: web.Request) -> web.Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unauthorized"}, status=401)
        body = await request.json()
        calls.append(body)
        found = [
            {
                "ref": f"HD-{i}",
                "requester": {"mail": email.upper()},
                "state": "OPEN",
                "title": f"Helpdesk case for {email}",
                "opened": "2026-11-20T10:00:00Z",
            }
            for i, email in enumerate(body["filter"]["emails"])
        ]
        return web.json_response({"result": {"cases": found, "total": len(found)}})

    async def notes(request: web.Request) -> web.Response:
        """A system that cannot batch: one customer per request, by path."""
        calls.append({"path": request.path})
        email = request.match_info["email"]
        return web.json_response(
            {"items": [{"id": f"N-{email}", "when": "2026-11-26T09:30:00", "state": "closed"}]}
        )

    app = web.Application()
    app.router.add_post("/api/v2/cases/search", search)
    app.router.add_get("/people/{email}/notes", notes)
    return app


@pytest.fixture
async def helpdesk() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    calls: list[dict[str, Any]] = []
    runner = web.AppRunner(helpdesk_app(calls))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", calls
    await runner.cleanup()


def with_foreign_sources(tmp_path: Path, base_url: str, token: str) -> Path:
    config = yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))
    config["sources"]["helpdesk"] = {
        "kind": "rest",
        "base_url": base_url,
        "headers": {"Authorization": "Bearer ${HELPDESK_TOKEN}"},
        "entities": {
            "cases": {
                "serves": "tickets",
                "records_at": "result.cases",
                "lookups": {
                    "email": {
                        "method": "POST",
                        "path": "/api/v2/cases/search",
                        "json_body": {"filter": {"emails": "{keys}"}},
                        "match_on": "requester.mail",
                    }
                },
                "fields": {
                    "id": "ref",
                    "status": "state",
                    "subject": "title",
                    "created_at": "opened",
                    "requester_email": "requester.mail",
                },
            },
            "notes": {
                "serves": "tickets",
                "records_at": "items",
                "lookups": {"email": {"path": "/people/{key}/notes"}},
                "fields": {"id": "id", "status": "state", "created_at": "when"},
            },
        },
    }
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


async def test_foreign_ticket_systems_merge_with_the_demo_support_desk(
    start_gateway: Callable[..., str],
    demo: DemoSources,
    helpdesk: tuple[str, list[dict[str, Any]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base_url, calls = helpdesk
    monkeypatch.setenv("HELPDESK_TOKEN", TOKEN)
    url = start_gateway(sources_file=with_foreign_sources(tmp_path, base_url, TOKEN))
    ids = [planted("champion").crm_ids[0], planted("red_health").crm_ids[0]]
    _, body = await graphql(
        url,
        "query($ids: [ID!]!) { customers(ids: $ids) { id tickets { id source status subject } } }",
        {"ids": ids},
    )
    assert "errors" not in body, body.get("errors")
    for customer in body["data"]["customers"]:
        by_source = {t["source"] for t in customer["tickets"]}
        assert {"helpdesk"} <= by_source
        case = next(t for t in customer["tickets"] if t["id"].startswith("HD-"))
        email = contact(customer["id"])["email"]
        assert case["subject"] == f"Helpdesk case for {email.casefold()}"
        assert case["status"] == "OPEN"
        note = next(t for t in customer["tickets"] if t["id"].startswith("N-"))
        assert note["status"] == "closed"
    searches = [c for c in calls if "filter" in c]
    assert len(searches) == 1, "two customers, one batched POST"
    assert sorted(searches[0]["filter"]["emails"]) == sorted(
        contact(i)["email"].casefold() for i in ids
    )
    assert len([c for c in calls if "path" in c]) == 2, "no batching there: one GET per customer"
    assert (await demo.stats())["support"] == 1


async def test_a_foreign_source_refusing_our_credentials_costs_only_its_fields(
    start_gateway: Callable[..., str],
    demo: DemoSources,
    helpdesk: tuple[str, list[dict[str, Any]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base_url, _ = helpdesk
    monkeypatch.setenv("HELPDESK_TOKEN", "wrong")
    url = start_gateway(sources_file=with_foreign_sources(tmp_path, base_url, "wrong"))
    _, body = await graphql(
        url,
        "query($id: ID) { customer(id: $id) { name orders { id } tickets { id } } }",
        {"id": planted("champion").crm_ids[0]},
    )
    customer = body["data"]["customer"]
    assert customer["name"] and customer["orders"]
    assert customer["tickets"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "SOURCE_REJECTED", "source": "helpdesk"}
    assert "401" in error["message"]
