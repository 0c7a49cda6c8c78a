"""The role dashboards in a real browser: right customer, charts drawn, a banner for a dead source.

Every request off this machine is blocked, as for GraphiQL; screenshots land in
``test-artifacts/`` (see the README's role views section).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from tests.demo_harness import DemoSources
from tests.integration.world import contact, planted

if TYPE_CHECKING:  # imported in the test: without playwright, the fixture skips or fails
    from playwright.async_api import Browser, BrowserContext


async def _offline_context(
    browser: Browser, gateway_url: str, blocked: list[str]
) -> BrowserContext:
    """A browser context that reaches only the gateway; anything else is blocked and noted."""
    gateway = urlsplit(gateway_url)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})

    async def only_the_gateway(route: object) -> None:
        from playwright.async_api import Route

        assert isinstance(route, Route)
        url = urlsplit(route.request.url)
        if url.hostname == gateway.hostname and url.port == gateway.port:
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    await context.route("**/*", only_the_gateway)
    return context


async def test_agent_dashboard_shows_the_caller_and_the_light(
    gateway_url: str, browser: Browser, artifacts: Path
) -> None:
    from playwright.async_api import expect

    red = contact(planted("red_health").crm_ids[0])
    other = contact(planted("champion").crm_ids[0])
    blocked: list[str] = []
    problems: list[str] = []
    context = await _offline_context(browser, gateway_url, blocked)
    page = await context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    await page.goto(f"{gateway_url}/dashboards/agent?phone={quote(red['phone'])}")
    name = page.locator("#customer-name")
    await expect(name).to_have_text(f"{red['first_name']} {red['last_name']}", timeout=30_000)
    await expect(page.locator(".light")).to_have_attribute("data-light", "RED")
    await expect(page.locator(".reasons li").first).to_be_visible()
    await expect(page.locator("#offer h2")).to_have_text("Next best offer")
    await expect(page.locator("#mentions h2")).to_contain_text("Said about us")
    await expect(page.locator("#errors")).to_be_hidden()
    shot = artifacts / "dashboard-agent.png"
    await page.screenshot(path=str(shot), full_page=True)

    # The agent types the next caller's number (in another format) into the form.
    await page.fill("#phone", other["phone"])
    await page.click("form#lookup button")
    await expect(name).to_have_text(f"{other['first_name']} {other['last_name']}", timeout=30_000)
    assert "phone=" in page.url

    await page.fill("#phone", "+1 212 555 0000")
    await page.click("form#lookup button")
    await expect(page.locator("#caller")).to_contain_text("No customer has the phone number")
    await context.close()
    assert blocked == [] and problems == []
    assert shot.stat().st_size > 10_000


async def test_cmo_and_ceo_dashboards_draw_their_charts_and_tables_and_refresh(
    gateway_url: str, browser: Browser, artifacts: Path
) -> None:
    from playwright.async_api import expect

    blocked: list[str] = []
    problems: list[str] = []
    context = await _offline_context(browser, gateway_url, blocked)
    page = await context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    for role, sections in {
        "cmo": ("#leads", "#campaigns", "#pipeline", "#revenue"),
        "ceo": ("#revenue", "#nps", "#created", "#deals"),
    }.items():
        await page.goto(f"{gateway_url}/dashboards/{role}?refresh=2")
        for section in sections:
            await expect(page.locator(f"{section} .as-of").first).to_contain_text(
                "as of", timeout=30_000
            )
        assert await page.locator("svg.chart rect").count() > 10
        assert await page.locator("table tbody tr").count() > 3
        await expect(page.locator("#errors")).to_be_hidden()
        # It refreshes by itself: the page's load counter passes 2 (every 2 s here).
        await expect(page.locator("body")).to_have_attribute("data-loaded", "2", timeout=15_000)
        await page.screenshot(path=str(artifacts / f"dashboard-{role}.png"), full_page=True)
    campaigns = page.locator("#campaigns")  # the CEO's page has none: back to the CMO's
    await page.goto(f"{gateway_url}/dashboards/cmo")
    await expect(campaigns.locator("tbody tr").first).to_be_visible(timeout=30_000)
    await context.close()
    assert blocked == [] and problems == []


async def test_dashboard_shows_an_error_banner_for_a_dead_source(
    demo_urls: dict[str, str],
    start_gateway: Callable[..., str],
    browser: Browser,
    artifacts: Path,
) -> None:
    from playwright.async_api import expect

    sources = DemoSources(demo_urls)
    url = start_gateway(role_view_ttl_s=0)  # nothing kept: the dead source is asked
    await sources.knobs("surveys", mode="error")
    try:
        page = await browser.new_page()
        await page.goto(f"{url}/dashboards/ceo")
        banner = page.locator("#errors")
        await expect(banner).to_be_visible(timeout=30_000)
        await expect(banner).to_contain_text("surveys")
        await expect(page.locator("#nps")).to_contain_text("Not available right now")
        # The sources that answered still draw their sections.
        await expect(page.locator("#revenue .as-of").first).to_contain_text("as of")
        await page.screenshot(path=str(artifacts / "dashboard-ceo-dead-source.png"), full_page=True)

        await sources.knobs("surveys", mode="ok")
        await page.reload()
        await expect(page.locator("#nps .as-of").first).to_contain_text("as of", timeout=30_000)
        await expect(banner).to_be_hidden()
        await page.close()
    finally:
        await sources.knobs("surveys", mode="ok")
