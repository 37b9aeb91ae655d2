"""``tastemaker serve`` killed hard (SIGKILL) twice, with requests queued, being sent and
downloading, and a scheduled recommendation run working: restarted each time, every
request goes on to completed, Lidarr gets each album once, and the run is marked
interrupted and can be run again.

A real process on SQLite (the embedded default), wired to the shared simulators. The
first kill comes while Lidarr holds every write for half a minute, so a request is
stuck half-way through being sent; the second while the restarted process is busy.
Slow: an orphaned run is only known to be dead once its heartbeat has been silent for
``STALE_AFTER`` (another live process could still be working on it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import update

from tastemaker import migrate
from tastemaker.auth import service as auth_service
from tastemaker.db import Database
from tastemaker.preferences.models import UserPreferences
from tastemaker.simulators.lidarr.state import SimState
from tests.conftest import PASSWORD
from tests.faults.conftest import untouched_albums
from tests.security.served import in_thread
from tests.servers.stack import (
    LIDARR_KEY,
    NAVIDROME_PASSWORD,
    NAVIDROME_USER,
    SimStack,
    lidarr_choices,
)
from tests.servers.tastemaker import ServedProcess

T = TypeVar("T")
pytestmark = pytest.mark.slow


def _wait(check: Callable[[], T | None], within: float, what: str, *logs: ServedProcess) -> T:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    shown = "\n".join(f"--- {p.name} ---\n{p.log()[-3000:]}" for p in logs)
    raise AssertionError(f"{what} did not happen within {within} s\n{shown}")


async def _seed(url: str) -> None:
    """bob, whose recommendations refresh daily (so one starts with the app), and Lidarr's
    root folder and profiles."""
    database = Database(url)
    try:
        async with database.sessionmaker() as db:
            bob = await auth_service.create_user(db, "bob", PASSWORD)
            await db.execute(
                update(UserPreferences)
                .where(UserPreferences.user_id == bob.id)
                .values(refresh_schedule="daily")
            )
            db.add_all(lidarr_choices())
            await db.commit()
    finally:
        await database.dispose()


@pytest.fixture
def environment(tmp_path: Path, sim_stack: SimStack) -> Iterator[dict[str, str]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'tastemaker.db'}"
    migrate.upgrade(url)
    in_thread(_seed(url))
    sim: SimState = sim_stack.lidarr_app.state.sim
    saved = sim.config.seconds_per_album
    sim.config.seconds_per_album = 6.0  # still downloading when the process dies
    httpx.post(sim_stack.ollama_url + "/_sim/mode", json={"mode": "slow"})  # a long run
    yield {
        "DATABASE_URL": url,
        "SECRET_KEY": "crash-recovery-secret",
        "NAVIDROME_URL": sim_stack.navidrome_url,
        "NAVIDROME_USER": NAVIDROME_USER,
        "NAVIDROME_PASSWORD": NAVIDROME_PASSWORD,
        "LIDARR_URL": sim_stack.lidarr_url,
        "LIDARR_API_KEY": LIDARR_KEY,
        "OLLAMA_URL": sim_stack.ollama_url,
        "OLLAMA_MODEL": "llama3.2",
        "LOG_LEVEL": "INFO",
    }
    sim.config.seconds_per_album = saved
    httpx.delete(sim_stack.lidarr_url + "/_sim/faults")
    httpx.post(sim_stack.ollama_url + "/_sim/reset")


class Bob:
    def __init__(self, process: ServedProcess) -> None:
        self.http = httpx.Client(base_url=process.url, timeout=30)
        answer = self.http.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        self.http.headers["X-CSRF-Token"] = answer.json()["csrf_token"]

    def statuses(self) -> dict[int, str]:
        items = self.http.get("/api/downloads", params={"limit": 200}).json()["items"]
        return {item["id"]: item["status"] for item in items}

    def runs(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.http.get("/api/recommendations/runs").json()["items"]
        return items


def test_requests_and_a_scheduled_run_survive_the_app_being_killed_twice(
    environment: dict[str, str], tmp_path: Path, sim_stack: SimStack
) -> None:
    sim: SimState = sim_stack.lidarr_app.state.sim
    albums = untouched_albums(sim)
    first = ServedProcess("first", environment, tmp_path).start()
    bob = Bob(first)
    scheduled = _wait(
        lambda: next((r for r in bob.runs() if r["trigger"] == "scheduled"), None),
        30,
        "the scheduled run starting",
        first,
    )
    assert scheduled["status"] == "running"

    wanted = [next(albums) for _ in range(3)]

    def request(index: int) -> int:
        album = wanted[index]
        answer = bob.http.post(
            "/api/downloads", json={"artist_mbid": album.artist_mbid, "album_mbid": album.mbid}
        )
        assert answer.status_code == 201, answer.text
        request_id: int = answer.json()["id"]
        return request_id

    downloading = request(0)
    _wait(lambda: bob.statuses()[downloading] == "downloading", 30, "a download", first)
    # Lidarr now holds every write: the next request hangs half-way through being sent,
    # the one after waits in the queue.
    httpx.put(
        sim_stack.lidarr_url + "/_sim/faults",
        json={"delay_seconds": 30, "methods": ["POST", "PUT"]},
    )
    being_sent, queued = request(1), request(2)
    time.sleep(1.5)
    before = bob.statuses()
    first.kill()

    httpx.delete(sim_stack.lidarr_url + "/_sim/faults")
    httpx.post(sim_stack.ollama_url + "/_sim/reset")
    second = ServedProcess("second", environment, tmp_path).start()
    bob = Bob(second)
    time.sleep(3)  # busy again: sending, polling
    second.kill()
    third = ServedProcess("third", environment, tmp_path).start()
    bob = Bob(third)

    _wait(
        lambda: set(bob.statuses().values()) == {"completed"},
        90,
        "every request completing",
        third,
    )
    assert before[downloading] == "downloading"
    assert before[being_sent] in ("queued", "sent", "searching")
    assert before[queued] in ("queued", "sent", "searching")
    assert sorted(bob.statuses()) == sorted([downloading, being_sent, queued])
    for album in wanted:
        monitored = [a for a in sim.albums.values() if a.source.mbid == album.mbid]
        assert len(monitored) == 1, f"{album.title} added to Lidarr once"
        artists = [a for a in sim.artists.values() if a.source.mbid == album.artist_mbid]
        assert len(artists) == 1

    # The run the first process was working on: marked, then run again.
    interrupted = _wait(
        lambda: next(
            (r for r in bob.runs() if r["id"] == scheduled["id"] and r["status"] != "running"),
            None,
        ),
        75,
        "the interrupted run being marked",
        third,
    )
    assert (interrupted["status"], interrupted["error_code"]) == ("failed", "interrupted")
    assert "run it again" in interrupted["error"]
    again = bob.http.post("/api/recommendations/runs")
    assert again.status_code == 202, again.text
    _wait(
        lambda: (
            bob.http.get(f"/api/recommendations/runs/{again.json()['id']}").json()["status"]
            == "completed"
        ),
        60,
        "the run again",
        third,
    )
    third.stop()
