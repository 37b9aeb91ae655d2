"""``page_weight_kb``: the compressed bytes of HTML, CSS and JS of a first visit to ``/library``.

A first visit has an empty browser cache: the page itself and every stylesheet
and script it links are fetched, each with ``Accept-Encoding: br, gzip`` as a
browser sends it, and the bytes on the wire are added up (what the server sends,
compressed when it compresses). Other files the page uses (the icon sprite, the
favicon, covers) are counted apart, for reference.
"""

from __future__ import annotations

import asyncio
from html.parser import HTMLParser
from typing import Any

import httpx

from bench.inprocess import running_app
from tastemaker.simulators.runner import BackgroundServer
from tastemaker.simulators.sample_library import large_library
from tastemaker.simulators.subsonic import Library, SubsonicConfig
from tastemaker.simulators.subsonic import create_app as subsonic_simulator

BROWSER = {"Accept-Encoding": "br, gzip", "Accept": "text/html"}


class Assets(HTMLParser):
    """The stylesheets, scripts and other same-origin files a page links."""

    def __init__(self) -> None:
        super().__init__()
        self.code: list[str] = []  # CSS and JS
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.code.append(str(found["src"]))
        elif tag == "link" and found.get("href"):
            rel = (found.get("rel") or "").split()
            kind = (
                self.code if {"stylesheet", "modulepreload", "preload"} & set(rel) else self.other
            )
            if "preload" in rel and found.get("as") not in ("script", "style"):
                kind = self.other
            kind.append(str(found["href"]))
        elif tag == "use" and found.get("href"):
            self.other.append(str(found["href"]).split("#", 1)[0])


async def wire_bytes(http: httpx.AsyncClient, url: str) -> int:
    async with http.stream("GET", url, headers=BROWSER) as response:
        assert response.status_code == 200, (url, response.status_code)
        return sum([len(chunk) async for chunk in response.aiter_raw()])


async def _measure(navidrome_url: str) -> dict[str, Any]:
    async with running_app(navidrome_url=navidrome_url) as (_, http):
        html = await wire_bytes(http, "/library")
        page = await http.get("/library", headers=BROWSER)
        links = Assets()
        links.feed(page.text)
        code = {url: await wire_bytes(http, url) for url in dict.fromkeys(links.code)}
        other = {url: await wire_bytes(http, url) for url in dict.fromkeys(links.other)}
    return {
        "page_weight_kb": (html + sum(code.values())) / 1024,
        "reference": {
            "page_html_kb": html / 1024,
            "page_css_js_kb": {url.rsplit("/", 1)[-1]: n / 1024 for url, n in code.items()},
            "page_other_files_kb": {url.rsplit("/", 1)[-1]: n / 1024 for url, n in other.items()},
        },
    }


def run() -> dict[str, Any]:
    library = Library.from_catalogue(large_library(1000, albums_per_artist=1))
    with BackgroundServer(subsonic_simulator(library, SubsonicConfig())) as navidrome:
        return asyncio.run(_measure(navidrome.url))
