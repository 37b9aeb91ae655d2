"""The worker's promises: a restart loses nothing, webhooks alone are enough, and one
poll costs the same few Lidarr calls however many requests are open."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import func, select

from tastemaker.app import create_app
from tastemaker.downloads.models import DownloadEvent, DownloadRequest, DownloadStatus
from tastemaker.settings import Settings
from tastemaker.simulators import catalogue
from tastemaker.simulators.lidarr.state import SimState
from tastemaker.simulators.runner import BackgroundServer
from tests.conftest import api_login
from tests.downloads.conftest import LidarrCalls, PersonFactory, an_album
from tests.servers.stack import SimStack

Fresh = Callable[[], catalogue.Artist]


async def test_a_new_app_instance_finishes_a_download_the_old_one_started(
    person: PersonFactory,
    fresh_artist: Fresh,
    sim: SimState,
    downloads_stack: FastAPI,
    stack_settings: Settings,
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)
    sim.config.seconds_per_album = 3.0
    created = (await bob.request(artist.mbid, album.mbid)).json()
    await bob.wait_for(created["id"], "downloading")

    await downloads_stack.state.downloads.aclose()  # the old instance stops mid-download
    restarted = create_app(stack_settings)
    async with LifespanManager(restarted):
        worker = restarted.state.downloads
        worker.tick_seconds, worker.poll_seconds = 0.1, 0.2
        transport = httpx.ASGITransport(app=restarted)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            await api_login(http, "bob")
            deadline = time.monotonic() + 60  # generous: a loaded 2-core CI machine
            status = ""
            while time.monotonic() < deadline and status != "completed":
                status = (await http.get(f"/api/downloads/{created['id']}")).json()["status"]
                await asyncio.sleep(0.05)
    assert status == "completed"


async def test_webhooks_alone_carry_a_request_to_completed(
    person: PersonFactory,
    fresh_artist: Fresh,
    sim: SimState,
    downloads_stack: FastAPI,
    stack_settings: Settings,
    lidarr_calls: LidarrCalls,
) -> None:
    admin = await person("root", admin=True)
    artist = fresh_artist()
    album = an_album(artist)
    await downloads_stack.state.downloads.aclose()  # only the served instance works
    served_app = create_app(stack_settings)
    with contextlib.ExitStack() as cleanup, BackgroundServer(served_app) as server:
        # However the test ends, the simulator stops calling this server's webhook.
        cleanup.callback(_forget_notifications, sim)
        served_app.state.downloads.tick_seconds = 0.1
        served_app.state.downloads.poll_seconds = 3600.0  # polling as good as off
        served_app.state.downloads._last_poll = time.monotonic()
        async with httpx.AsyncClient(base_url=server.url) as http:
            csrf = await api_login(http, "root")
            headers = {"X-CSRF-Token": csrf}
            registered = await http.post(
                "/api/downloads/webhook",
                json={"url": f"{server.url}/api/webhooks/lidarr"},
                headers=headers,
            )
            assert registered.status_code == 200, registered.text
            assert registered.json()["webhook_registered"] is True
            body = {"artist_mbid": artist.mbid, "album_mbid": album.mbid}
            created = (await http.post("/api/downloads", json=body, headers=headers)).json()
            deadline = time.monotonic() + 20
            current: dict[str, object] = {}
            while time.monotonic() < deadline and current.get("status") != "completed":
                current = (await http.get(f"/api/downloads/{created['id']}")).json()
                await asyncio.sleep(0.05)
    assert current["status"] == "completed", current
    assert admin.username == "root"


def _forget_notifications(sim: SimState) -> None:
    for notification_id in list(sim.notifications):
        sim.notifications.pop(notification_id)


async def test_the_webhook_refuses_a_wrong_secret(person: PersonFactory) -> None:
    bob = await person("bob")
    answer = await bob.http.post(
        "/api/webhooks/lidarr",
        json={"eventType": "Test"},
        headers={"X-Tastemaker-Secret": "guess"},
    )
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")


async def _tracked(app: FastAPI, user_id: int, count: int) -> None:
    async with app.state.db.sessionmaker() as session:
        for n in range(count):
            session.add(
                DownloadRequest(
                    user_id=user_id,
                    kind="album",
                    target_key=f"00000000-0000-4000-8000-{n:012d}",
                    artist_name=f"Artist {n}",
                    artist_mbid="00000000-0000-4000-8000-000000000000",
                    album_title=f"Album {n}",
                    album_mbid=f"00000000-0000-4000-8000-{n:012d}",
                    lidarr_artist_id=10_000 + n,
                    lidarr_album_id=10_000 + n,
                    status=DownloadStatus.SEARCHING,
                )
            )
        await session.commit()


async def test_one_poll_costs_two_lidarr_calls_for_one_or_many_open_requests(
    person: PersonFactory, downloads_stack: FastAPI, lidarr_calls: LidarrCalls
) -> None:
    bob = await person("bob")
    worker = downloads_stack.state.downloads
    await worker.aclose()  # polls only when the test says so
    user_id = (await bob.get("/api/auth/me")).json()["user"]["id"]

    await _tracked(downloads_stack, user_id, 1)
    lidarr_calls.calls.clear()
    assert await worker.poll() == 2
    one = list(lidarr_calls.calls)

    await _tracked_more(downloads_stack, user_id)
    lidarr_calls.calls.clear()
    assert await worker.poll() == 2
    many = list(lidarr_calls.calls)

    assert one == many == ["GET /api/v1/queue", "GET /api/v1/history/since"]


async def _tracked_more(app: FastAPI, user_id: int) -> None:
    async with app.state.db.sessionmaker() as session:
        for n in range(1, 40):
            session.add(
                DownloadRequest(
                    user_id=user_id,
                    kind="album",
                    target_key=f"10000000-0000-4000-8000-{n:012d}",
                    artist_name=f"Artist {n}",
                    artist_mbid="10000000-0000-4000-8000-000000000000",
                    album_title=f"Album {n}",
                    album_mbid=f"10000000-0000-4000-8000-{n:012d}",
                    lidarr_artist_id=20_000 + n,
                    lidarr_album_id=20_000 + n,
                    status=DownloadStatus.DOWNLOADING,
                )
            )
        await session.commit()
        open_count = await session.scalar(select(func.count()).select_from(DownloadRequest))
        assert open_count == 40
        assert await session.scalar(select(func.count()).select_from(DownloadEvent)) == 0


async def test_a_cancel_while_lidarr_is_down_is_kept_and_done_in_lidarr_when_it_is_back(
    person: PersonFactory,
    fresh_artist: Fresh,
    sim: SimState,
    sim_stack: SimStack,
    downloads_stack: FastAPI,
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)
    sim.config.seconds_per_album = 30.0
    created = (await bob.request(artist.mbid, album.mbid)).json()
    await bob.wait_for(created["id"], "downloading")
    lib_album = sim.album_by_mbid(album.mbid)
    assert lib_album is not None
    worker = downloads_stack.state.downloads

    async with httpx.AsyncClient(base_url=sim_stack.lidarr_url) as control:
        down = await control.put("/_sim/faults", json={"status_code": 503})
        assert down.status_code == 200
        try:
            # No worker runs while it is cancelled: what is left to do must be in the
            # database, for the worker started afterwards to find.
            await worker.aclose()
            cancelled = await bob.post(f"/api/downloads/{created['id']}/cancel")

            assert cancelled.status_code == 200, cancelled.text
            body = cancelled.json()
            assert body["status"] == "cancelled"
            last = body["events"][-1]
            assert last["status"] == "cancelled"
            assert "as soon as Lidarr answers" in last["message"]
            assert lib_album.monitored  # Lidarr could not be told yet
            worker.start()
            # The worker tries while Lidarr is still down, and keeps it for later.
            tried = await _cleanup_tried(downloads_stack, created["id"])
            assert tried == (True, True)
            assert lib_album.monitored
        finally:
            await control.delete("/_sim/faults")

    album_id = lib_album.id

    def stopped_in_lidarr() -> bool:
        found = sim.album_by_mbid(album.mbid)
        downloading = [d for d in sim.downloads.values() if d.album_id == album_id]
        return found is not None and not found.monitored and not downloading

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if stopped_in_lidarr():
            break
        await asyncio.sleep(0.05)
    assert stopped_in_lidarr()
    deadline = time.monotonic() + 10
    messages: list[str] = []
    while time.monotonic() < deadline and not any("Stopped in Lidarr" in m for m in messages):
        current = (await bob.get(f"/api/downloads/{created['id']}")).json()
        messages = [e["message"] for e in current["events"]]
        await asyncio.sleep(0.05)
    assert current["status"] == "cancelled"
    assert any(
        m.startswith("Stopped in Lidarr: the album is no longer monitored") for m in messages
    )
    async with downloads_stack.state.db.sessionmaker() as session:
        pending = await session.scalar(
            select(DownloadRequest.lidarr_cleanup_pending).where(
                DownloadRequest.id == created["id"]
            )
        )
    assert pending is False


async def test_requesting_again_after_a_cancel_drops_the_pending_clean_up(
    person: PersonFactory, fresh_artist: Fresh, sim: SimState, sim_stack: SimStack
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)
    sim.config.seconds_per_album = 2.0
    created = (await bob.request(artist.mbid, album.mbid)).json()
    await bob.wait_for(created["id"], "downloading")
    async with httpx.AsyncClient(base_url=sim_stack.lidarr_url) as control:
        await control.put("/_sim/faults", json={"status_code": 503})
        try:
            cancelled = await bob.post(f"/api/downloads/{created['id']}/cancel")
            again = await bob.request(artist.mbid, album.mbid)
        finally:
            await control.delete("/_sim/faults")

    assert cancelled.json()["status"] == "cancelled"
    assert again.status_code == 200
    assert again.json()["id"] == created["id"]
    assert again.json()["status"] == "queued"
    done = await bob.wait_for(created["id"], "completed", "failed", within=30)
    assert done["status"] == "completed", done
    assert not any("Stopped in Lidarr" in e["message"] for e in done["events"])


async def _cleanup_tried(app: FastAPI, request_id: int, within: float = 10.0) -> tuple[bool, bool]:
    """Once the worker has tried the clean-up: (still pending, a next try scheduled)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        async with app.state.db.sessionmaker() as session:
            row = (
                await session.execute(
                    select(
                        DownloadRequest.lidarr_cleanup_pending, DownloadRequest.next_attempt_at
                    ).where(DownloadRequest.id == request_id)
                )
            ).one()
        if row.next_attempt_at is not None:
            return bool(row.lidarr_cleanup_pending), True
        await asyncio.sleep(0.05)
    return False, False
