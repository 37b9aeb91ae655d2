"""In Chromium: set up the first admin, sign in, see the dashboard, sign out."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import BROWSER
from tests.conftest import PASSWORD

pytestmark = BROWSER

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}


def _shoot(page: Page, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


def test_setup_sign_in_dashboard_sign_out(
    browser: Browser, live_url: str, screenshots: Path
) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"], color_scheme="light")
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )

    page.goto(live_url + "/")
    expect(page).to_have_url(live_url + "/setup")
    page.get_by_label("User name").fill("Admin")
    page.get_by_label("Display name").fill("Ada Admin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create administrator").click()

    expect(page).to_have_url(live_url + "/")
    expect(page.get_by_role("heading", name="Hello, Ada Admin")).to_be_visible()
    expect(page.get_by_text("Welcome, Ada Admin! Tastemaker is ready.")).to_be_visible()

    page.get_by_role("button", name="Ada Admin").first.click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page).to_have_url(live_url + "/login")
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Wrong user name or password")).to_be_visible()

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_url + "/")
    expect(page.get_by_role("heading", name="Hello, Ada Admin")).to_be_visible()
    # The wrong password answered 401 on purpose; anything else is a real error.
    unexpected = [e for e in errors if "status of 401" not in e]
    assert not unexpected, f"console errors: {unexpected}"
    context.close()

    # Screenshots at both widths, light and dark, signed in and signed out.
    for scheme in ("light", "dark"):
        for label, viewport in VIEWPORTS.items():
            shot = browser.new_context(viewport=viewport, color_scheme=scheme)
            view = shot.new_page()
            view.goto(live_url + "/login")
            _shoot(view, screenshots, f"login-{label}-{scheme}")
            view.get_by_label("User name").fill("admin")
            view.get_by_label("Password").fill(PASSWORD)
            view.get_by_role("button", name="Sign in").click()
            expect(view.get_by_role("heading", name="Hello, Ada Admin")).to_be_visible()
            is_dark = view.evaluate("document.documentElement.classList.contains('dark')")
            assert is_dark == (scheme == "dark"), "the system theme follows the browser"
            _shoot(view, screenshots, f"dashboard-{label}-{scheme}")
            view.goto(live_url + "/settings/profile")
            _shoot(view, screenshots, f"profile-{label}-{scheme}")
            shot.close()
