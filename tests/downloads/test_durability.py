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
            deadline = time.monotonic() + 20
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
