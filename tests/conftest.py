"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and the app on it.

Every test that touches the database runs once per database. PostgreSQL runs get a
database of their own (created here, dropped at the end), so two test runs never
see each other's rows; after each test every table is emptied.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from tastemaker.app import create_app
from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role, User
from tastemaker.db import Base
from tastemaker.settings import Settings

TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "correct horse battery"


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_admin(statement: str) -> None:
    async def execute() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(TEST_DATABASE_URL))
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    # A thread of its own: the caller may already run an event loop (Playwright's sync API).
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(asyncio.run, execute()).result()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A freshly migrated, empty database of each kind."""
    from tests.servers.databases import fresh_database  # it imports this module

    with fresh_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        secret_key="test-secret-key-not-for-production",
        login_max_attempts=5,
        # Several apps live side by side on this database (the bare one, supysonic's,
        # a Navidrome that is down...): none runs background work, or their workers
        # would race for each other's rows. The stack world (tests/servers/stack.py)
        # has a database of its own where the workers run; tests that drive a worker
        # here start it themselves. tests/deployment/ tests elections between processes.
        background_work="never",
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


async def empty_tables(app: FastAPI) -> None:
    """Empty every table, with the app's background work stopped meanwhile.

    A worker cycle or recommendation run still going when the test ends must not land
    on the next test's rows: SQLite hands out the same ids again once a table is
    empty (request 1, user 1, run 1), so stale work would update the wrong thing.
    A worker that was running restarts with nothing in memory (a fresh tracker).
    """
    worker = app.state.downloads
    was_running = worker.running
    await worker.aclose()
    discoveries = app.state.discoveries
    discoveries_running = discoveries.running
    await discoveries.aclose()
    await app.state.recommendations.aclose()
    try:
        async with app.state.db.sessionmaker() as session:
            for table in reversed(Base.metadata.sorted_tables):
                await session.execute(delete(table))
            await session.commit()
    finally:
        if was_running:
            worker.start()
        if discoveries_running:
            discoveries.start()
    # The hub caches service settings for a while; the rows it read are gone now.
    app.state.services.invalidate()
    app.state.services.health.clear()
    # Listings are kept per user id, and the next test's users get the same ids.
    app.state.library_cache.invalidate()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await empty_tables(app)


@pytest.fixture
def anonymous_client(app: FastAPI, client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second browser with no cookies (shares the app and the clean-up of ``client``)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def make_user(app: FastAPI, username: str, role: Role = Role.USER) -> User:
    async with app.state.db.sessionmaker() as session:
        return await auth_service.create_user(session, username, PASSWORD, role=role)


async def api_token(app: FastAPI, user: User, name: str = "cron") -> tuple[dict[str, str], int]:
    """A new API token of ``user``: the Bearer header that carries it, and the token's id."""
    async with app.state.db.sessionmaker() as session:
        token, row = await auth_service.create_api_token(session, user, name)
    return {"Authorization": f"Bearer {token}"}, row.id


async def api_login(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the API; returns the CSRF token and leaves the cookie on ``http``."""
    response = await http.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


@pytest.fixture
async def admin(app: FastAPI, client: httpx.AsyncClient) -> User:
    return await make_user(app, "alice", Role.ADMIN)


@pytest.fixture
async def signed_in_admin(client: httpx.AsyncClient, admin: User) -> str:
    """The ``client`` signed in as the admin ``alice``; returns the CSRF token."""
    return await api_login(client, "alice")


REPO_ROOT = Path(__file__).resolve().parents[1]
