"""In Chromium: connecting ListenBrainz and Last.fm on the profile page, phone and desktop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tastemaker.app import create_app
from tastemaker.settings import Settings
from tastemaker.simulators.runner import BackgroundServer
from tests.browser.conftest import BROWSER, _create_admin, _empty_tables, sign_in
from tests.servers.listening import *  # noqa: F403

pytestmark = BROWSER

# The phone's top bar and the player stick to the window edges: in an element
# screenshot they would cover the section, so they scroll away for the picture.
UNSTICK = "header.sticky, #player { position: static !important; }"
VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}


@pytest.fixture
def live_sources_url(sources_settings: Settings) -> Iterator[str]:
    """The app wired to all five simulators, over real HTTP, with an admin ``alice``."""
    _empty_tables(sources_settings.resolved_database_url)
    _create_admin(sources_settings.resolved_database_url)
    with BackgroundServer(create_app(sources_settings)) as server:
        yield server.url
    _empty_tables(sources_settings.resolved_database_url)


def test_connecting_listening_sources_on_the_profile(
    browser: Browser, live_sources_url: str, screenshots: Path
) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    sign_in(page, live_sources_url)
    page.goto(live_sources_url + "/settings/profile#sources")
    sources = page.locator("#sources")
    listenbrainz = sources.locator("#source-listenbrainz")
    lastfm = sources.locator("#source-lastfm")

    listenbrainz.get_by_label("ListenBrainz user name").fill("nobody-at-all")
    listenbrainz.get_by_role("button", name="Connect ListenBrainz").click()
    expect(
        listenbrainz.get_by_text("ListenBrainz has no user named “nobody-at-all”")
    ).to_be_visible()
    sources.screenshot(path=str(screenshots / "profile-sources-error-desktop.png"), style=UNSTICK)

    listenbrainz.get_by_label("ListenBrainz user name").fill("demo")
    listenbrainz.get_by_role("button", name="Connect ListenBrainz").click()
    expect(
        page.get_by_text("ListenBrainz connected: your next recommendations use it.")
    ).to_be_visible()
    lastfm.get_by_label("Last.fm user name").fill("demo")
    lastfm.get_by_role("button", name="Connect Last.fm").click()
    expect(lastfm.get_by_text("Connected", exact=True)).to_be_visible()
    expect(listenbrainz.get_by_role("button", name="Disconnect")).to_be_visible()
    context.close()

    for scheme in ("light", "dark"):
        for label, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            sign_in(page, live_sources_url)
            page.goto(live_sources_url + "/settings/profile#sources")
            section = page.locator("#sources")
            expect(section.get_by_text("As demo")).to_have_count(2)
            section.screenshot(
                path=str(screenshots / f"profile-sources-{label}-{scheme}.png"),
                style=UNSTICK,
            )
            context.close()
