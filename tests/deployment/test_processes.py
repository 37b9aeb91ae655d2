"""Several processes, one truth: two real ``tastemaker serve`` processes on one
PostgreSQL database, wired to the simulators.

A request made through one process shows its progress on the other (in Chromium,
without a reload); exactly one of them polls Lidarr; when that one is killed
(SIGKILL, no clean-up) the other takes the work over within ten seconds and the
request completes, sent to Lidarr once, in the browser connected to the survivor.

Each process reaches Lidarr through its own small reverse proxy, so the test knows
which process made which Lidarr call.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role
from tastemaker.db import Database
from tastemaker.simulators import catalogue
from tastemaker.simulators.lidarr.state import SimState
from tastemaker.simulators.runner import BackgroundServer
from tests.browser.conftest import browser, sign_in
from tests.conftest import PASSWORD
from tests.servers.databases import fresh_database
from tests.servers.proxy import ReverseProxy
from tests.servers.stack import (
    LIDARR_KEY,
    NAVIDROME_PASSWORD,
    NAVIDROME_USER,
    SimStack,
    lidarr_choices,
)
from tests.servers.tastemaker import ServedProcess

__all__ = ["browser"]
T = TypeVar("T")
POLLER_CALLS = ("GET /api/v1/queue", "GET /api/v1/history/since")


def _in_thread(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(lambda: asyncio.run(make())).result()


@pytest.fixture
def shared_database(tmp_path: Path) -> Iterator[str]:
    """An empty PostgreSQL database of its own, migrated, with bob and Lidarr's defaults."""

    async def seed(url: str) -> None:
        database = Database(url)
        try:
            async with database.sessionmaker() as session:
                await auth_service.create_user(session, "bob", PASSWORD, role=Role.USER)
                session.add_all(lidarr_choices())
                await session.commit()
        finally:
            await database.dispose()

    with fresh_database("postgresql", tmp_path) as url:
        _in_thread(lambda: seed(url))
        yield url


def _untouched_album(sim: SimState) -> catalogue.Album:
    owned = {a.mbid for a in catalogue.owned_artists()}
    for artist in catalogue.catalogue()[::-1]:
        if artist.mbid in owned or sim.artist_by_mbid(artist.mbid):
            continue
        for album in artist.albums:
            if album.album_type == "Album":
                return album
    pytest.fail("no untouched album left in the simulator's catalogue")


def _environment(database_url: str, stack: SimStack, lidarr_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "two-processes-one-secret",
        "BACKGROUND_WORK": "elected",
        "NAVIDROME_URL": stack.navidrome_url,
        "NAVIDROME_USER": NAVIDROME_USER,
        "NAVIDROME_PASSWORD": NAVIDROME_PASSWORD,
        "LIDARR_URL": lidarr_url,
        "LIDARR_API_KEY": LIDARR_KEY,
        "OLLAMA_URL": stack.ollama_url,
        "OLLAMA_MODEL": "llama3.2",
        "LOG_LEVEL": "INFO",
    }


def _signed_in(process: ServedProcess) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=process.url, timeout=30)
    answer = http.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return http, str(answer.json()["csrf_token"])


def _wait(check: Callable[[], T | None], within: float, what: str, *logs: ServedProcess) -> T:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    shown = "\n".join(f"--- {p.name} ---\n{p.log()[-4000:]}" for p in logs)
    raise AssertionError(f"{what} did not happen within {within} s\n{shown}")


@pytest.mark.browser
def test_two_processes_share_one_truth_one_poller_and_a_quick_takeover(
    shared_database: str, sim_stack: SimStack, tmp_path: Path, browser: Browser
) -> None:
    sim: SimState = sim_stack.lidarr_app.state.sim
    album = _untouched_album(sim)
    before = sim.config.seconds_per_album
    sim.config.seconds_per_album = 30.0  # long enough to kill the leader mid-download
    proxy_a, proxy_b = ReverseProxy(sim_stack.lidarr_url), ReverseProxy(sim_stack.lidarr_url)
    with (
        BackgroundServer(proxy_a) as lidarr_a,
        BackgroundServer(proxy_b) as lidarr_b,
        ServedProcess("a", _environment(shared_database, sim_stack, lidarr_a.url), tmp_path) as a,
        ServedProcess("b", _environment(shared_database, sim_stack, lidarr_b.url), tmp_path) as b,
    ):
        try:
            assert _wait(lambda: a.ready()["background_work"] == "leading", 30, "a leading", a, b)
            assert b.ready()["background_work"] == "following"
            via_a, _ = _signed_in(a)
            via_b, csrf = _signed_in(b)
            watching_a = browser.new_page(viewport={"width": 1280, "height": 900})
            sign_in(watching_a, a.url, "bob")
            watching_a.goto(a.url + "/downloads")  # open before the request exists

            # Made through the follower, worked on by the leader, seen through both.
            created = via_b.post(
                "/api/downloads",
                json={"artist_mbid": album.artist_mbid, "album_mbid": album.mbid},
                headers={"X-CSRF-Token": csrf},
            )
            assert created.status_code in (200, 201), created.text
            request_id = created.json()["id"]

            def downloading_on_a() -> dict[str, Any] | None:
                body: dict[str, Any] = via_a.get(f"/api/downloads/{request_id}").json()
                return body if body["status"] == "downloading" and body["progress"] > 0 else None

            progress = _wait(downloading_on_a, 60, "progress seen on a", a, b)
            bar = watching_a.get_by_role("progressbar", name=f"Progress of {album.title}")
            moving = re.compile(r"^[1-9][0-9]*$")
            expect(bar).to_have_attribute("aria-valuenow", moving, timeout=30_000)
            watching_a.close()
            page = via_a.get("/downloads")
            assert page.status_code == 200
            assert album.title in page.text
            assert via_b.get(f"/api/downloads/{request_id}").json()["status"] == "downloading"

            # Only the leader polls Lidarr.
            assert proxy_a.count(*POLLER_CALLS) > 0
            assert proxy_b.count(*POLLER_CALLS) == 0, proxy_b.calls

            a.kill()  # mid-download, no clean-up: its lock connection simply drops
            killed_at = time.monotonic()
            _wait(lambda: b.ready()["background_work"] == "leading", 10, "b taking over", a, b)
            took_over_in = time.monotonic() - killed_at
            assert took_over_in <= 10

            def finished_on_b() -> dict[str, Any] | None:
                body: dict[str, Any] = via_b.get(f"/api/downloads/{request_id}").json()
                return body if body["status"] in ("completed", "failed") else None

            watching_b = browser.new_page(viewport={"width": 1280, "height": 900})
            sign_in(watching_b, b.url, "bob")
            watching_b.goto(b.url + "/downloads")
            card = watching_b.locator("li[data-download-id]").filter(has_text=album.title)
            expect(card.get_by_text("Ready to play")).to_be_visible(timeout=90_000)
            watching_b.close()
            done = _wait(finished_on_b, 30, "the request finishing on b", a, b)
            assert done["status"] == "completed", done
            assert done["progress"] >= progress["progress"]
            assert proxy_b.count(*POLLER_CALLS) > 0  # b polls now
            # Nothing lost, nothing twice: Lidarr was asked to search for it once.
            searches = proxy_a.count("POST /api/v1/command") + proxy_b.count("POST /api/v1/command")
            assert searches == 1, (proxy_a.calls, proxy_b.calls)
            statuses = [event["status"] for event in done["events"]]
            assert statuses[0] == "queued"
            assert statuses[-1] == "completed"
            assert "downloading" in statuses
        finally:
            sim.config.seconds_per_album = before


def test_serve_with_workers_runs_the_background_work_in_one_of_them(
    shared_database: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": shared_database, "SECRET_KEY": "workers", "LOG_LEVEL": "INFO"}
    with ServedProcess("workers", env, tmp_path, "--workers", "2") as served:
        seen = {served.ready()["background_work"] for _ in range(60)}
        time.sleep(4)  # more than one election round: still one leader
        log = served.log()

    assert log.count("Started server process") == 2, log
    assert log.count("this process runs the background work") == 1, log
    assert seen <= {"leading", "following"}


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    served = ServedProcess("sqlite", {}, tmp_path, "--workers", "2")
    with pytest.raises(RuntimeError) as refused:
        served.start()

    assert "--workers 2 needs PostgreSQL" in str(refused.value)
