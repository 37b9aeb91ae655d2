"""In Chromium, the whole app under ``/tastemaker`` behind a reverse proxy on loopback:
sign in, browse, play, request an album and see it ready.

The proxy (``tests/servers/proxy.py``) answers only under ``/tastemaker/``, as an
nginx ``location /tastemaker/`` would, so a link, asset, redirect, API call or audio
stream that forgets the sub-path fails here; the test also checks every request the
page made.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Request, expect

from tastemaker.app import create_app
from tastemaker.settings import Settings
from tastemaker.simulators.runner import BackgroundServer
from tests.browser.conftest import BROWSER, _create_admin, _empty_tables, browser, sign_in
from tests.browser.test_downloads import _choose_lidarr_defaults, _untouched_album
from tests.browser.test_player import PLAYER
from tests.servers.proxy import ReverseProxy
from tests.servers.stack import SimStack

__all__ = ["browser"]
pytestmark = BROWSER
SUB_PATH = "/tastemaker"


@pytest.fixture
def proxied_url(served_stack_settings: Settings) -> Iterator[str]:
    """The stack app under /tastemaker, reached only through the proxy."""
    database_url = served_stack_settings.resolved_database_url
    _empty_tables(database_url)
    _create_admin(database_url)
    _choose_lidarr_defaults(database_url)
    app = create_app(
        served_stack_settings.model_copy(
            update={"base_path": SUB_PATH, "trusted_proxies": "127.0.0.1"}
        )
    )
    with BackgroundServer(app) as server:
        proxy = ReverseProxy(server.url, only_under=SUB_PATH)
        with BackgroundServer(proxy) as front:
            yield front.url + SUB_PATH
    _empty_tables(database_url)


def test_sign_in_browse_play_and_request_under_a_sub_path_behind_a_proxy(
    browser: Browser, proxied_url: str, sim_stack: SimStack
) -> None:
    album = _untouched_album(sim_stack)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requested: list[str] = []

    def remember(request: Request) -> None:
        if request.url.startswith("http"):
            requested.append(request.url)

    page.on("request", remember)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(proxied_url + "/")  # signed out: redirected to sign in, under the sub-path
    expect(page).to_have_url(re.compile(re.escape(proxied_url) + r"/login"))
    sign_in(page, proxied_url)

    # Browse: the library, an album.
    page.goto(proxied_url + "/library/albums")
    page.get_by_role("list", name="Albums").get_by_role("link").first.click()
    expect(page.get_by_role("table", name="Tracklist")).to_be_visible()
    assert page.url.startswith(proxied_url + "/library/albums/")

    # Play: the audio streams through the proxy.
    page.get_by_role("button", name="Play", exact=True).first.click()
    page.wait_for_function(f"() => {PLAYER}.audio.currentTime > 0.3", timeout=15_000)
    assert page.evaluate(f"{PLAYER}.audio.src").startswith(proxied_url + "/")

    # Request an album and see it ready to play.
    page.goto(f"{proxied_url}/downloads/new?q={album.title}")
    row = page.locator(f'li[data-mbid="{album.mbid}"]')
    row.get_by_role("button", name=f"Request {album.title}").click()
    expect(row.get_by_role("link", name=re.compile("Requested"))).to_be_visible()
    page.goto(f"{proxied_url}/downloads")
    card = page.locator("li[data-download-id]").filter(has_text=album.title).first
    expect(card.get_by_text("Ready to play")).to_be_visible(timeout=60_000)
    play = card.get_by_role("link", name="Play now")
    expect(play).to_have_attribute("href", re.compile(rf"^{SUB_PATH}/library/albums/"))
    play.click()
    expect(page.get_by_role("heading", name=album.title).first).to_be_visible()

    outside = [url for url in requested if not url.startswith(proxied_url + "/")]
    assert outside == [], outside
    assert errors == []
    page.close()
