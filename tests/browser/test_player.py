"""In Chromium: play an album, keep playing across pages, skip, reload and resume.

The Navidrome here is the simulator in metadata-only mode, whose songs all stream
the same real 10-second clip: long enough to watch time advance across a page change.
Screenshots of the dashboard, an artist, an album and "now playing" at 390 and 1280 px,
light and dark, go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tastemaker.app import create_app as create_tastemaker_app
from tastemaker.settings import Settings
from tastemaker.simulators.catalogue import owned_artists
from tastemaker.simulators.runner import BackgroundServer
from tastemaker.simulators.subsonic import Library, SubsonicConfig
from tastemaker.simulators.subsonic import create_app as subsonic_simulator
from tests.browser.conftest import BROWSER, _create_admin, _empty_tables, sign_in

pytestmark = BROWSER

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}
PLAYER = "window.tastemakerPlayer"


@pytest.fixture
def player_url(settings: Settings) -> Iterator[str]:
    navidrome = subsonic_simulator(Library.from_catalogue(owned_artists()), SubsonicConfig())
    with BackgroundServer(navidrome) as server:
        configured = settings.model_copy(
            update={
                "navidrome_url": server.url,
                "navidrome_user": "demo",
                "navidrome_password": "tastemaker-demo",
            }
        )
        _empty_tables(configured.resolved_database_url)
        _create_admin(configured.resolved_database_url)
        with BackgroundServer(create_tastemaker_app(configured)) as app:
            yield app.url
        _empty_tables(configured.resolved_database_url)


def _open_first_album(page: Page, base: str) -> None:
    page.goto(base + "/library/albums")
    page.get_by_role("list", name="Albums").get_by_role("link").first.click()
    expect(page.get_by_role("table", name="Tracklist")).to_be_visible()


def _song_titles(page: Page) -> list[str]:
    titles: list[str] = page.locator("[data-track]").evaluate_all(
        "rows => rows.map(r => r.dataset.title)"
    )
    return titles


def test_the_player_keeps_playing_across_pages_and_survives_a_reload(
    browser: Browser, player_url: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, player_url)
    _open_first_album(page, player_url)
    titles = _song_titles(page)

    page.get_by_role("button", name="Play", exact=True).first.click()

    page.wait_for_function(f"() => {PLAYER}.audio.currentTime > 0.3")
    player = page.get_by_test_id("player-bar")
    expect(player.get_by_test_id("player-title")).to_have_text(titles[0])
    assert page.evaluate("navigator.mediaSession.metadata.title") == titles[0]
    assert page.evaluate("navigator.mediaSession.metadata.artwork.length") > 0

    # A boosted page change: the page is swapped, the audio plays on.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Hello, alice")).to_be_visible()
    started = page.evaluate(f"{PLAYER}.audio.currentTime")
    page.wait_for_function(f"() => {PLAYER}.audio.currentTime > {started} + 0.5")
    assert page.evaluate(f"{PLAYER}.audio.paused") is False
    expect(player.get_by_test_id("player-title")).to_have_text(titles[0])

    player.get_by_test_id("player-next").click()
    page.wait_for_function(f"() => {PLAYER}.state.index === 1 && {PLAYER}.audio.currentTime > 0.3")
    expect(player.get_by_test_id("player-title")).to_have_text(titles[1])
    assert page.evaluate("navigator.mediaSession.metadata.title") == titles[1]

    page.reload()
    expect(player.get_by_test_id("player-title")).to_have_text(titles[1])
    assert page.evaluate(f"{PLAYER}.state.queue.length") == len(titles)
    assert page.evaluate(f"{PLAYER}.audio.paused") is True
    page.locator("body").press(" ")  # space resumes where it stopped
    page.wait_for_function(f"() => !{PLAYER}.audio.paused && {PLAYER}.audio.currentTime > 0.3")

    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    assert errors == []
    context.close()


def test_queue_can_be_edited_from_the_page_and_the_panel(browser: Browser, player_url: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    sign_in(page, player_url)
    _open_first_album(page, player_url)
    titles = _song_titles(page)

    page.get_by_role("button", name="Add to queue").first.click()
    page.get_by_role("button", name="Queue", exact=True).click()
    queue = page.get_by_role("list", name="Queue").first
    expect(queue.get_by_role("listitem")).to_have_count(len(titles))

    queue.get_by_role("listitem").nth(2).get_by_role("button", name="Move up").click()
    expect(queue.get_by_role("listitem").nth(1)).to_contain_text(titles[2])
    queue.get_by_role("listitem").nth(0).get_by_role("button", name="Remove from queue").click()
    expect(queue.get_by_role("listitem")).to_have_count(len(titles) - 1)

    repeat = page.get_by_test_id("player-bar").get_by_test_id("player-repeat")
    repeat.click()
    expect(repeat).to_have_attribute("aria-label", "Repeat: all")
    page.get_by_role("button", name="Clear").first.click()
    expect(page.get_by_test_id("player-bar")).to_be_hidden()
    context.close()


def test_screenshots_of_the_library_and_now_playing(
    browser: Browser, player_url: str, screenshots: Path
) -> None:
    for scheme in ("light", "dark"):
        for label, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            sign_in(page, player_url)
            _open_first_album(page, player_url)
            page.get_by_role("button", name="Play", exact=True).first.click()
            page.wait_for_function(f"() => {PLAYER}.audio.currentTime > 0.2")
            page.locator("[data-track]").nth(1).hover()
            page.screenshot(
                path=str(screenshots / f"library-album-{label}-{scheme}.png"), full_page=True
            )

            page.get_by_role(
                "link", name=page.evaluate(f"{PLAYER}.state.queue[0].artist")
            ).first.click()
            expect(page.get_by_role("heading", level=2, name="Albums")).to_be_visible()
            page.screenshot(
                path=str(screenshots / f"library-artist-{label}-{scheme}.png"), full_page=True
            )

            page.goto(player_url + "/library")
            expect(page.get_by_role("list", name="Artists")).to_be_visible()
            page.screenshot(path=str(screenshots / f"library-artists-{label}-{scheme}.png"))

            page.goto(player_url + "/")
            expect(page.get_by_test_id("continue-listening")).to_be_visible()
            page.screenshot(
                path=str(screenshots / f"dashboard-{label}-{scheme}.png"), full_page=True
            )

            page.get_by_role("button", name="Open now playing").locator(
                "visible=true"
            ).first.click()
            expect(page.get_by_test_id("now-playing")).to_be_visible()
            page.screenshot(path=str(screenshots / f"now-playing-{label}-{scheme}.png"))
            context.close()
