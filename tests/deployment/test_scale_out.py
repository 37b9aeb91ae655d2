"""Several processes on one database agree: the sign-in limit, caches, runs in flight.

A second app on the same database stands in for a second process (each app has its
own caches, notifier and run manager, as a process would).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select

from tastemaker.app import create_app
from tastemaker.auth.models import User
from tastemaker.db import utcnow
from tastemaker.recommendations.models import RecommendationRun, RunStatus
from tastemaker.recommendations.runner import STALE_AFTER
from tastemaker.settings import Settings
from tests.conftest import PASSWORD, make_user


@pytest.fixture
async def other_process(settings: Settings, app: FastAPI) -> AsyncIterator[FastAPI]:
    """Another app on the shared ``app``'s database; serves requests, runs no background work."""
    other = create_app(settings.model_copy(update={"background_work": "never"}))
    async with LifespanManager(other):
        yield other


def _client(app: FastAPI, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _eventually(check: Callable[[], bool], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_failed_sign_ins_count_across_processes(
    app: FastAPI, client: httpx.AsyncClient, other_process: FastAPI, admin: User
) -> None:
    for _ in range(5):
        wrong = await client.post(
            "/api/auth/login", json={"username": "alice", "password": "wrong-pass"}
        )
        assert wrong.status_code == 401

    async with _client(other_process) as elsewhere:
        blocked = await elsewhere.post(
            "/api/auth/login", json={"username": "alice", "password": PASSWORD}
        )

    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


async def test_a_successful_sign_in_clears_the_count_for_every_process(
    app: FastAPI, client: httpx.AsyncClient, other_process: FastAPI, admin: User
) -> None:
    for _ in range(4):
        await client.post("/api/auth/login", json={"username": "alice", "password": "nope-nope"})
    async with _client(other_process) as elsewhere:
        signed_in = await elsewhere.post(
            "/api/auth/login", json={"username": "alice", "password": PASSWORD}
        )
    assert signed_in.status_code == 200
    for _ in range(4):
        again = await client.post(
            "/api/auth/login", json={"username": "alice", "password": "nope-nope"}
        )
        assert again.status_code == 401  # four more allowed: the earlier four were forgotten


async def test_a_cache_dropped_in_one_process_is_dropped_in_the_others(
    app: FastAPI, client: httpx.AsyncClient, other_process: FastAPI, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite is served by one process: nothing to tell the others")
    cache = app.state.library_cache
    user_id = 4242

    async def listing() -> list[str]:
        return ["an artist"]

    cache.invalidate()
    await cache.get(user_id, ("artists",), listing)
    await cache.get(user_id + 1, ("artists",), listing)
    hub = app.state.services
    hub.forget("lidarr")  # read afresh now, so not again on its own for 30 s
    await hub.values("lidarr")
    read_at = hub._values["lidarr"][0]

    def read_again() -> bool:
        # The background work reads Lidarr's settings again as soon as they are dropped.
        return "lidarr" not in hub._values or hub._values["lidarr"][0] > read_at

    other_process.state.library_cache.invalidate(user_id)  # e.g. the user starred a song there
    other_process.state.services.invalidate("lidarr")  # an admin saved Lidarr's settings there

    assert await _eventually(lambda: len(cache) == 1)
    assert await _eventually(read_again)
    assert cache.peek(user_id + 1, ("artists",)) == ["an artist"], "the other user's was kept"


async def test_signing_out_on_one_process_ends_the_session_on_the_others(
    app: FastAPI, client: httpx.AsyncClient, other_process: FastAPI, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite is served by one process: nothing to tell the others")
    await make_user(app, "bob")
    csrf = (
        await client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    ).json()["csrf_token"]
    principals = other_process.state.principals
    principals.ttl = 600.0  # only the notification can make it forget in time
    async with _client(other_process) as elsewhere:
        elsewhere.cookies.update(client.cookies)
        # Remembered once the sign-in's own notification has passed (a change seen
        # while reading means "do not keep what was read").
        for _ in range(100):
            assert (await elsewhere.get("/api/auth/me")).status_code == 200
            if len(principals) == 1:
                break
            await asyncio.sleep(0.05)
        assert len(principals) == 1

        signed_out = await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})

        assert signed_out.status_code == 204
        assert await _eventually(lambda: len(principals) == 0, within=5)
        assert (await elsewhere.get("/api/auth/me")).status_code == 401


async def _run(app: FastAPI, user_id: int, beat_age: timedelta) -> int:
    async with app.state.db.sessionmaker() as session:
        run = RecommendationRun(
            user_id=user_id,
            status=RunStatus.RUNNING,
            filtered_reasons={},
            heartbeat_at=utcnow() - beat_age,
        )
        session.add(run)
        await session.commit()
        return run.id


async def test_only_runs_whose_process_went_silent_are_marked_interrupted(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    alive_user = await make_user(app, "bob")
    dead_user = await make_user(app, "carol")
    alive = await _run(app, alive_user.id, timedelta(seconds=2))  # another process works on it
    orphan = await _run(app, dead_user.id, STALE_AFTER + timedelta(minutes=1))

    marked = await app.state.recommendations.mark_interrupted(stale_after=STALE_AFTER)

    assert marked == 1
    async with app.state.db.sessionmaker() as session:
        statuses = dict(
            (await session.execute(select(RecommendationRun.id, RecommendationRun.status))).all()
        )
    assert statuses == {alive: RunStatus.RUNNING, orphan: RunStatus.FAILED}


async def test_a_run_working_in_another_process_is_not_started_twice(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bob = await make_user(app, "bob")
    elsewhere = await _run(app, bob.id, timedelta(seconds=1))

    run_id, created = await app.state.recommendations.start(bob.id)

    assert (run_id, created) == (elsewhere, False)
