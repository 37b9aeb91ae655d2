"""In Chromium: an admin tests and saves a service on Settings → Services."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, ViewportSize, expect

from tests.browser.conftest import BROWSER, sign_in

pytestmark = BROWSER

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}


def test_testing_a_connection_shows_its_version_and_live_choices(
    browser: Browser, live_stack_url: str, screenshots: Path
) -> None:
    for scheme in ("light", "dark"):
        for label, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            sign_in(page, live_stack_url)
            page.goto(live_stack_url + "/settings/services")
            lidarr = page.locator("#service-lidarr")
            expect(lidarr.get_by_text("Configured")).to_be_visible()
            lidarr.get_by_role("button", name="Test connection").click()

            expect(lidarr.get_by_text("Connection works")).to_be_visible()
            expect(lidarr.get_by_label("Root folder")).to_have_value("/music")
            expect(lidarr.get_by_label("Quality profile").locator("option")).not_to_have_count(0)
            page.screenshot(
                path=str(screenshots / f"services-{label}-{scheme}.png"), full_page=True
            )
            context.close()
