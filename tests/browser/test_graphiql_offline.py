"""GraphiQL in a real browser with every request off this machine blocked.

A new user's first minute: open /graphql, see the agent's saved query with a
demo caller's phone ready, press run, read the customer's name.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gateway.graphiql import EXAMPLE_VARIABLES
from queries import saved_queries_dir
from tests.integration.world import contact, planted

if TYPE_CHECKING:  # imported in the test: without playwright, the fixture skips or fails
    from playwright.async_api import Browser, ConsoleMessage, Route


async def test_graphiql_runs_the_agent_query_with_no_outside_network(
    gateway_url: str, browser: Browser, artifacts: Path
) -> None:
    from playwright.async_api import expect

    owner = contact(planted("phone_formats").crm_ids[0])
    assert owner["phone"] == EXAMPLE_VARIABLES["phone"]  # the page's demo phone is a customer's
    name = f"{owner['first_name']} {owner['last_name']}"
    gateway = urlsplit(gateway_url)
    blocked: list[str] = []
    requested: list[str] = []
    problems: list[str] = []

    async def only_this_machine(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.hostname == "127.0.0.1" and url.port == gateway.port:
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    await context.route("**/*", only_this_machine)
    page = await context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))

    await page.goto(gateway_url + "/graphql")
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    await expect(editor).to_contain_text("query AgentView", timeout=60_000)
    variables = page.locator(".graphiql-editor-tool .CodeMirror").first
    await expect(variables).to_contain_text(EXAMPLE_VARIABLES["phone"])

    await page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    await expect(result).to_contain_text(name, timeout=60_000)
    await expect(result).to_contain_text('"light"')
    shot = artifacts / "graphiql-agent-view.png"
    await page.screenshot(path=str(shot), full_page=True)
    await context.close()

    assert blocked == []  # nothing even tried to leave the machine
    assert requested and all(url.startswith(gateway_url + "/") for url in requested)
    assert problems == []  # no CSP violation, no script error
    assert shot.stat().st_size > 10_000


async def test_every_saved_query_opens_as_a_tab_the_agent_first(
    start_gateway: Callable[..., str], browser: Browser, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    shutil.copy(saved_queries_dir() / "agent.graphql", tmp_path / "agent.graphql")
    (tmp_path / "by_email.graphql").write_text(
        "query CustomerByEmail($email: String!) { customer(email: $email) { id name } }\n"
    )
    url = start_gateway(queries_dir=tmp_path)
    page = await browser.new_page()
    await page.goto(url + "/graphql")
    tabs = page.locator(".graphiql-tab")
    await expect(tabs).to_have_count(2, timeout=60_000)
    await expect(tabs.nth(0)).to_contain_text("AgentView")
    await expect(tabs.nth(1)).to_contain_text("CustomerByEmail")
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    await expect(editor).to_contain_text("query AgentView")
    await tabs.nth(1).locator("button").first.click()
    await expect(editor).to_contain_text("query CustomerByEmail")
    await page.close()
