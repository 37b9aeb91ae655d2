"""Operations: forwarded headers believed only from trusted proxies, liveness and
readiness probes, and a worker that hands its claimed work back when stopped."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from tastemaker import migrate
from tastemaker.app import create_app
from tastemaker.auth.models import User
from tastemaker.downloads.models import DownloadRequest
from tastemaker.health import _head_revision
from tastemaker.settings import Settings
from tastemaker.simulators import catalogue
from tests.conftest import PASSWORD
from tests.downloads.conftest import PersonFactory, an_album
from tests.servers.databases import fresh_database
from tests.servers.stack import SimStack
from tests.servers.tastemaker import TASTEMAKER


@pytest.fixture
async def behind_proxy(settings: Settings, app: FastAPI) -> AsyncIterator[FastAPI]:
    """The app told to trust the proxy on 127.0.0.1 (where ``_from`` puts the client)."""
    proxied = create_app(
        settings.model_copy(update={"trusted_proxies": "127.0.0.1", "background_work": "never"})
    )
    async with LifespanManager(proxied):
        yield proxied


def _from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def _forwarded(client_address: str, proto: str = "https") -> dict[str, str]:
    return {"X-Forwarded-For": client_address, "X-Forwarded-Proto": proto}


async def _fail_five_times(http: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for _ in range(5):
        answer = await http.post(
            "/api/auth/login", json={"username": "alice", "password": "wrong"}, headers=headers
        )
        assert answer.status_code == 401


async def test_a_trusted_proxy_names_the_client_and_its_https(
    behind_proxy: FastAPI, client: httpx.AsyncClient, admin: User
) -> None:
    async with _from(behind_proxy, "127.0.0.1") as proxy:
        await _fail_five_times(proxy, _forwarded("203.0.113.5"))
        same = await proxy.post(
            "/api/auth/login",
            json={"username": "alice", "password": PASSWORD},
            headers=_forwarded("203.0.113.5"),
        )
        other = await proxy.post(
            "/api/auth/login",
            json={"username": "alice", "password": PASSWORD},
            headers=_forwarded("203.0.113.6"),
        )

    assert same.status_code == 429  # the limit is per real client…
    assert other.status_code == 200  # …not per proxy
    assert "secure" in other.headers["set-cookie"].lower()  # HTTPS at the proxy


async def test_forwarded_headers_from_anyone_else_are_ignored(
    behind_proxy: FastAPI, client: httpx.AsyncClient, admin: User
) -> None:
    async with _from(behind_proxy, "198.51.100.7") as stranger:
        await _fail_five_times(stranger, _forwarded("203.0.113.5"))
        spoofed = await stranger.post(
            "/api/auth/login",
            json={"username": "alice", "password": PASSWORD},
            headers=_forwarded("203.0.113.99"),
        )
    async with _from(behind_proxy, "198.51.100.8") as plain:
        signed_in = await plain.post(
            "/api/auth/login",
            json={"username": "alice", "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https"},
        )

    assert spoofed.status_code == 429  # a made-up X-Forwarded-For does not reset the count
    assert signed_in.status_code == 200
    assert "secure" not in signed_in.headers["set-cookie"].lower()


async def test_liveness_and_readiness_when_all_is_well(
    stack_client: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    live = await stack_client.get("/api/health/live")
    ready = await stack_client.get("/api/health/ready")

    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert body["schema_revision"] == body["expected_revision"]
    assert body["background_work"] == "leading"  # the stack app skips the election
    # An app told to run no background work (BACKGROUND_WORK=never) is ready all the same.
    quiet = (await client.get("/api/health/ready")).json()
    assert (quiet["status"], quiet["background_work"]) == ("ready", "off")


async def test_not_ready_while_the_schema_is_behind(settings: Settings, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}"
    migrate.upgrade(url, "0006")
    behind = create_app(
        Settings(
            _env_file=None,
            database_url=url,
            data_dir=tmp_path,
            secret_key="test-secret-key-not-for-production",
            background_work="never",
        )
    )
    async with LifespanManager(behind):
        async with _from(behind, "127.0.0.1") as http:
            answer = await http.get("/api/health/ready")
        migrate.upgrade(url)
        async with _from(behind, "127.0.0.1") as http:
            after = await http.get("/api/health/ready")

    assert answer.status_code == 503
    assert answer.json()["status"] == "not_ready"
    assert "tastemaker db upgrade" in answer.json()["detail"]
    assert answer.json()["background_work"] == "off"
    assert after.status_code == 200


async def test_a_stopped_worker_hands_back_the_request_it_was_sending(
    person: PersonFactory,
    fresh_artist: Callable[[], catalogue.Artist],
    downloads_stack: FastAPI,
    sim_stack: SimStack,
) -> None:
    artist = fresh_artist()
    album = an_album(artist)
    bob = await person("bob")
    worker = downloads_stack.state.downloads
    async with httpx.AsyncClient(base_url=sim_stack.lidarr_url) as control:
        await control.put("/_sim/faults", json={"delay_seconds": 30})  # Lidarr hangs
        try:
            created = (await bob.request(artist.mbid, album.mbid)).json()
            claimed = await _lease(downloads_stack, created["id"], present=True)
            assert claimed, "the worker never claimed the request"

            await worker.stop(grace=0.5)  # the process is asked to stop mid-send

            handed_back = await _lease(downloads_stack, created["id"], present=False)
        finally:
            await control.delete("/_sim/faults")
    assert handed_back, "the lease was kept: the next worker would wait for it to expire"
    current = (await bob.get(f"/api/downloads/{created['id']}")).json()
    assert current["status"] == "queued"


async def _lease(app: FastAPI, request_id: int, *, present: bool, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        async with app.state.db.sessionmaker() as session:
            lease = await session.scalar(
                select(DownloadRequest.next_attempt_at).where(DownloadRequest.id == request_id)
            )
        if (lease is not None) == present:
            return True
        await asyncio.sleep(0.05)
    return False


def test_several_instances_can_upgrade_one_database_at_the_same_moment(tmp_path: Path) -> None:
    """Every instance runs `tastemaker db upgrade` on start; on PostgreSQL they may
    start together: one migrates, the others wait for it and find the schema at head."""
    with fresh_database("postgresql", tmp_path, migrated=False) as url:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": url}
        upgrades = [
            subprocess.Popen(
                [str(TASTEMAKER), "db", "upgrade"],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(3)
        ]
        outputs = [upgrade.communicate(timeout=120)[0].decode() for upgrade in upgrades]

        assert [upgrade.returncode for upgrade in upgrades] == [0, 0, 0], outputs
        assert _in_thread_run(_revision(url)) == _head_revision()


async def _revision(url: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            return None if found is None else str(found)
    finally:
        await engine.dispose()


def _in_thread_run(coroutine: Coroutine[Any, Any, str | None]) -> str | None:
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()
