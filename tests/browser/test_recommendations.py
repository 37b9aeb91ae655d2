"""In Chromium: generate recommendations, watch the cards arrive, like one, dismiss one
(it never comes back), open a detail page; screenshots at phone and desktop widths."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import httpx
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import BROWSER, sign_in
from tests.servers.stack import SimStack

pytestmark = BROWSER

VIEWPORTS: dict[str, ViewportSize] = {
    "390": {"width": 390, "height": 844},
    "1280": {"width": 1280, "height": 800},
}


def _shoot(page: Page, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


def test_generate_like_dismiss_and_open_a_recommendation(
    browser: Browser, live_stack_url: str, sim_stack: SimStack, screenshots: Path
) -> None:
    # Slow enough to see the cards arrive one by one, fast enough for a test.
    httpx.post(
        sim_stack.ollama_url + "/_sim/mode", json={"mode": "slow", "slow_token_delay": 0.004}
    )
    try:
        context = browser.new_context(viewport=VIEWPORTS["1280"], color_scheme="light")
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in(page, live_stack_url)

        page.goto(live_stack_url + "/recommendations")
        expect(page.get_by_text("No recommendations yet")).to_be_visible()
        page.get_by_role("button", name="Generate new").click()
        expect(page.get_by_text("Finding music for you")).to_be_visible()
        cards = page.locator("#latest-cards [data-recommendation]")
        expect(cards.first).to_be_visible(timeout=20_000)
        expect(page.get_by_text("Finding music for you")).to_be_hidden(timeout=30_000)
        expect(page.get_by_text("Last run")).to_be_visible()
        count = cards.count()
        assert count == 10

        first = cards.nth(0)
        liked_name = first.locator("h3").inner_text()
        first.get_by_role("button", name=f"Like {liked_name}", exact=True).click()
        expect(page.locator("#latest-cards [data-state='liked']")).to_have_count(1)

        second = cards.nth(1)
        dismissed_name = second.locator("h3").inner_text()
        second.get_by_role("button", name=f"Dismiss {dismissed_name}", exact=True).click()
        expect(page.get_by_role("heading", name=dismissed_name)).to_have_count(0)
        expect(cards).to_have_count(count - 1)

        page.reload()
        expect(page.get_by_role("heading", name=liked_name)).to_be_visible()
        expect(page.get_by_role("heading", name=dismissed_name)).to_have_count(0)
        _shoot(page, screenshots, "recommendations-feed-1280-light")

        page.get_by_role("link", name=liked_name).first.click()
        expect(page.get_by_role("heading", level=1, name=liked_name)).to_be_visible()
        expect(page.get_by_text("Why you might like it")).to_be_visible()
        expect(page.locator("[data-album]").first).to_be_visible()
        expect(page.get_by_role("link", name="MusicBrainz")).to_be_visible()
        _shoot(page, screenshots, "recommendations-detail-1280-light")
        detail_url = page.url

        page.goto(live_stack_url + "/recommendations/runs")
        expect(page.get_by_text("Completed")).to_be_visible()
        _shoot(page, screenshots, "recommendations-runs-1280-light")
        page.goto(live_stack_url + "/settings/preferences")
        expect(page.get_by_role("heading", name="Preferences")).to_be_visible()
        _shoot(page, screenshots, "preferences-1280-light")
        assert errors == []

        schemes: tuple[tuple[str, Literal["light", "dark"]], ...] = (
            ("390", "light"),
            ("390", "dark"),
            ("1280", "dark"),
        )
        state = context.storage_state()
        for width, scheme in schemes:
            other = browser.new_context(
                viewport=VIEWPORTS[width], color_scheme=scheme, storage_state=state
            )
            view = other.new_page()
            view.goto(live_stack_url + "/recommendations")
            expect(view.locator("[data-recommendation]").first).to_be_visible()
            _shoot(view, screenshots, f"recommendations-feed-{width}-{scheme}")
            view.goto(detail_url)
            _shoot(view, screenshots, f"recommendations-detail-{width}-{scheme}")
            if width == "390":
                view.goto(live_stack_url + "/settings/preferences")
                _shoot(view, screenshots, f"preferences-{width}-{scheme}")
            other.close()
        context.close()
    finally:
        httpx.post(sim_stack.ollama_url + "/_sim/reset")
