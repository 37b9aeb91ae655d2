"""In Chromium: the playlists page lists the user's Navidrome playlists, plays one from
its card, opens one and plays it all, and empties the discoveries playlist.

The Navidrome here is the simulator in metadata-only mode (every song streams a real
clip) with its demo playlists; the discoveries playlist is filled through the same
code a completed request runs. Screenshots of the playlists page and a playlist at
390 and 1280 px, light and dark, go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tastemaker.app import create_app as create_tastemaker_app
from tastemaker.auth.service import get_user_by_name
from tastemaker.db import Database
from tastemaker.integrations.navidrome import NavidromeClient, NavidromeCredentials
from tastemaker.playlists import discoveries
from tastemaker.settings import Settings
from tastemaker.simulators.catalogue import owned_artists
from tastemaker.simulators.runner import BackgroundServer
from tastemaker.simulators.subsonic import Library, SubsonicConfig
from tastemaker.simulators.subsonic import create_app as subsonic_simulator
from tests.browser.conftest import BROWSER, _create_admin, _empty_tables, sign_in

pytestmark = BROWSER

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
PLAYER = "window.tastemakerPlayer"
NAME = "Tastemaker Discoveries"


@dataclass
class Live:
    url: str
    songs: list[str]  # titles in the discoveries playlist, in order


def _fill_discoveries(settings: Settings, navidrome_url: str, library: Library) -> list[str]:
    """Add three albums' songs to alice's discoveries, as completed requests would."""
    albums = list(library.albums.values())[3:6]
    song_ids = [song_id for album in albums for song_id in album.song_ids]

    async def fill() -> None:
        database = Database(settings.resolved_database_url)
        async with httpx.AsyncClient() as http, database.sessionmaker() as session:
            alice = await get_user_by_name(session, "alice")
            assert alice is not None
            account = NavidromeCredentials("demo", "tastemaker-demo")
            navidrome = NavidromeClient(http, navidrome_url, account)
            await discoveries.add(session, navidrome, alice.id, NAME, song_ids)
        await database.dispose()

    with ThreadPoolExecutor(max_workers=1) as executor:  # Playwright's loop runs here
        executor.submit(asyncio.run, fill()).result()
    return [library.songs[song_id].title for song_id in song_ids]


@pytest.fixture
def live(settings: Settings) -> Iterator[Live]:
    library = Library.from_catalogue(owned_artists())
    with BackgroundServer(subsonic_simulator(library, SubsonicConfig())) as server:
        configured = settings.model_copy(
            update={
                "navidrome_url": server.url,
                "navidrome_user": "demo",
                "navidrome_password": "tastemaker-demo",
            }
        )
        _empty_tables(configured.resolved_database_url)
        _create_admin(configured.resolved_database_url)
        songs = _fill_discoveries(configured, server.url, library)
        with BackgroundServer(create_tastemaker_app(configured)) as app:
            yield Live(app.url, songs)
        _empty_tables(configured.resolved_database_url)


def _playlists(page: Page) -> None:
    page.get_by_role("navigation", name="Library sections").get_by_role(
        "link", name="Playlists"
    ).click()
    expect(page.get_by_role("list", name="Playlists")).to_be_visible()


def test_playlists_play_from_the_list_and_the_page_and_the_discoveries_clear(
    browser: Browser, live: Live
) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"])  # type: ignore[arg-type]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live.url)
    page.goto(live.url + "/library")
    _playlists(page)
    cards = page.get_by_role("list", name="Playlists").get_by_role("listitem")
    mine = cards.filter(has_text=NAME)
    expect(mine).to_contain_text("Your discoveries")
    expect(mine).to_contain_text(f"{len(live.songs)} songs")
    expect(cards.filter(has_text="Demo favourites").first).to_be_visible()

    mine.get_by_role("button", name=f"Play {NAME}").click()  # play from the card
    page.wait_for_function(f"() => {PLAYER}.audio.currentTime > 0.2")
    bar = page.get_by_test_id("player-bar")
    expect(bar.get_by_test_id("player-title")).to_have_text(live.songs[0])
    assert page.evaluate(f"{PLAYER}.state.queue.length") == len(live.songs)

    mine.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", level=1, name=NAME)).to_be_visible()
    expect(page.locator("[data-track]")).to_have_count(len(live.songs))
    page.locator("[data-track]").nth(2).get_by_role(
        "button", name=live.songs[2], exact=True
    ).click()
    expect(bar.get_by_test_id("player-title")).to_have_text(live.songs[2])
    page.get_by_role("button", name="Play", exact=True).first.click()  # play all
    expect(bar.get_by_test_id("player-title")).to_have_text(live.songs[0])
    assert page.evaluate(f"{PLAYER}.state.queue.map(t => t.title)") == live.songs

    page.get_by_text("Clear…").click()
    page.get_by_role("button", name="Clear the playlist").click()
    expect(page.get_by_text(f"Cleared: {len(live.songs)} songs taken out")).to_be_visible()
    expect(page.get_by_text("Nothing here yet")).to_be_visible()
    assert page.evaluate(f"{PLAYER}.audio.paused") is False  # the music plays on
    assert errors == []
    context.close()


def test_screenshots_of_the_playlists_pages(
    browser: Browser, live: Live, screenshots: Path
) -> None:
    for scheme in ("light", "dark"):
        for label, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, color_scheme=scheme)  # type: ignore[arg-type]
            page = context.new_page()
            sign_in(page, live.url)
            page.goto(live.url + "/library/playlists")
            expect(page.get_by_role("list", name="Playlists")).to_be_visible()
            page.wait_for_function("() => [...document.images].every(i => i.complete)")
            page.screenshot(
                path=str(screenshots / f"playlists-{label}-{scheme}.png"), full_page=True
            )
            page.get_by_role("link", name=NAME).click()
            expect(page.locator("[data-track]").first).to_be_visible()
            page.screenshot(
                path=str(screenshots / f"playlist-{label}-{scheme}.png"), full_page=True
            )
            context.close()
