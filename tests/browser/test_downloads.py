"""Request an album (from Find music, and from a recommendation card), watch its progress
bar move, see it complete and press Play now — in Chromium, against the simulators."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tastemaker.app import create_app
from tastemaker.db import Database
from tastemaker.settings import Settings
from tastemaker.simulators import catalogue
from tastemaker.simulators.runner import BackgroundServer
from tests.browser.conftest import BROWSER, _create_admin, _empty_tables, sign_in
from tests.browser.test_player import PLAYER
from tests.servers.stack import SimStack, lidarr_choices

pytestmark = BROWSER


def _choose_lidarr_defaults(database_url: str) -> None:
    async def save() -> None:
        database = Database(database_url)
        async with database.sessionmaker() as session:
            session.add_all(lidarr_choices())
            await session.commit()
        await database.dispose()

    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(asyncio.run, save()).result()


@pytest.fixture
def downloads_url(served_stack_settings: Settings, sim_stack: SimStack) -> Iterator[str]:
    url = served_stack_settings.resolved_database_url
    _empty_tables(url)
    _create_admin(url)
    _choose_lidarr_defaults(url)
    sim = sim_stack.lidarr_app.state.sim
    before = sim.config.seconds_per_album
    sim.config.seconds_per_album = 10.0  # slow enough to watch the bar move
    app = create_app(served_stack_settings)
    with BackgroundServer(app) as server:
        app.state.downloads.tick_seconds = 0.2
        app.state.downloads.poll_seconds = 0.5
        yield server.url
    sim.config.seconds_per_album = before
    _empty_tables(url)


def _untouched_album(sim_stack: SimStack) -> catalogue.Album:
    sim = sim_stack.lidarr_app.state.sim
    owned = {a.mbid for a in catalogue.owned_artists()}
    for artist in reversed(catalogue.catalogue()):
        if artist.mbid in owned or sim.artist_by_mbid(artist.mbid):
            continue
        for album in artist.albums:
            if album.album_type == "Album":
                return album
    pytest.fail("no untouched album left in the simulator's catalogue")


def _shoot(page: Page, folder: Path, name: str) -> None:
    for width, height in ((390, 844), (1280, 900)):
        for scheme in ("light", "dark"):
            page.set_viewport_size({"width": width, "height": height})
            page.emulate_media(color_scheme=scheme)
            page.reload()  # lay the page out for this width from the start
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(folder / f"{name}-{width}-{scheme}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(color_scheme="light")


def test_request_an_album_and_play_it_when_it_is_ready(
    browser: Browser, downloads_url: str, sim_stack: SimStack, screenshots: Path
) -> None:
    album = _untouched_album(sim_stack)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, downloads_url)

    page.goto(f"{downloads_url}/downloads/new?q={album.title}")
    row = page.locator(f'li[data-mbid="{album.mbid}"]')
    expect(row).to_contain_text(album.artist_name)
    _shoot(page, screenshots, "downloads-find-music")
    row.get_by_role("button", name=f"Request {album.title}").click()
    requested = row.get_by_role("link", name=re.compile("Requested"))
    expect(requested).to_be_visible()

    page.goto(f"{downloads_url}/downloads")
    bar = page.get_by_role("progressbar", name=f"Progress of {album.title}")
    seen: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        value = int(bar.get_attribute("aria-valuenow") or 0)
        if not seen or value != seen[-1]:
            seen.append(value)
        if 30 <= value < 100 and len([v for v in seen if 0 < v < 100]) >= 2:
            break
        page.wait_for_timeout(200)
    moving = [v for v in seen if 0 < v < 100]
    assert len(moving) >= 2, seen  # it moved, without a reload
    assert moving == sorted(moving), seen
    _shoot(page, screenshots, "downloads-queue")

    card = page.locator("li[data-download-id]").filter(has_text=album.title).first
    expect(card.get_by_text("Ready to play")).to_be_visible(timeout=30_000)
    play = card.get_by_role("link", name="Play now")
    expect(play).to_have_attribute("href", re.compile(r"^/library/albums/[^/]+$"))
    _shoot(page, screenshots, "downloads-queue-done")
    card.get_by_role("link", name=album.title).click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    _shoot(page, screenshots, "downloads-detail")
    play_href = page.get_by_role("link", name="Play now").first.get_attribute("href")
    page.get_by_role("link", name="Play now").first.click()
    page.wait_for_url(f"{downloads_url}{play_href}")
    expect(page.get_by_role("heading", name=album.title).first).to_be_visible()


def test_request_an_album_from_a_recommendation_card_and_hear_it(
    browser: Browser, downloads_url: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, downloads_url)
    page.goto(f"{downloads_url}/recommendations")
    page.get_by_role("button", name="Generate new").click()
    with_album = page.locator("[data-recommendation]").filter(
        has=page.locator("[data-request='album']")
    )
    expect(with_album.first).to_be_visible(timeout=30_000)
    # Pin the card itself: once requested it no longer matches the filter above.
    title_id = with_album.first.get_attribute("aria-labelledby")
    card = page.locator(f"[aria-labelledby='{title_id}']")
    artist = card.locator("h3").inner_text()

    card.locator("[data-request='album']").click()
    expect(card.get_by_role("link", name=re.compile("Requested"))).to_be_visible()

    page.goto(f"{downloads_url}/downloads")
    item = page.locator("li[data-download-id]").filter(has_text=artist).first
    expect(item).to_be_visible()
    # (The Find music test watches the bar move; this album may already be in Lidarr.)
    expect(item.get_by_text("Ready to play")).to_be_visible(timeout=90_000)

    item.get_by_role("link", name="Play now").click()
    page.get_by_role("button", name="Play", exact=True).first.click()
    page.wait_for_function(f"() => {PLAYER}.audio.currentTime > 0.3", timeout=15_000)
    assert page.evaluate(f"{PLAYER}.audio.paused") is False
