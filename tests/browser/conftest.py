"""Browser tests: the real app on a loopback port, driven by Playwright in Debian's Chromium.

Never ``playwright install``: the browser is the system's ``/usr/bin/chromium``.
Screenshots go to ``test-artifacts/screenshots/`` for people to look at.
``live_url`` serves the bare app; ``live_stack_url`` the app wired to the three
simulators (see ``tests/servers/stack.py``) with an admin ``alice``; ``sign_in`` signs in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import delete

from tastemaker.app import create_app
from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role
from tastemaker.db import Base, Database
from tastemaker.settings import Settings
from tastemaker.simulators.runner import BackgroundServer
from tests.conftest import PASSWORD
from tests.servers.stack import *  # noqa: F403

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# What a page shows does not depend on the database: browser tests run on the embedded
# default, SQLite. Every query runs on both databases in the API tests, and
# tests/deployment drives a browser against PostgreSQL (two processes, one truth).
BROWSER = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def _empty_tables(database_url: str) -> None:
    async def empty() -> None:
        database = Database(database_url)
        async with database.sessionmaker() as session:
            for table in reversed(Base.metadata.sorted_tables):
                await session.execute(delete(table))
            await session.commit()
        await database.dispose()

    # In a thread of its own: Playwright's sync API keeps an event loop running here.
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(asyncio.run, empty()).result()


@pytest.fixture
def live_url(settings: Settings) -> Iterator[str]:
    """The app served over real HTTP on an empty database."""
    _empty_tables(settings.resolved_database_url)
    with BackgroundServer(create_app(settings)) as server:
        yield server.url
    _empty_tables(settings.resolved_database_url)


@pytest.fixture
def live_stack_url(served_stack_settings: Settings) -> Iterator[str]:
    """The app wired to the three simulators, over real HTTP, with an admin ``alice``."""
    _empty_tables(served_stack_settings.resolved_database_url)
    _create_admin(served_stack_settings.resolved_database_url)
    with BackgroundServer(create_app(served_stack_settings)) as server:
        yield server.url
    _empty_tables(served_stack_settings.resolved_database_url)


def _create_admin(database_url: str) -> None:
    async def create() -> None:
        database = Database(database_url)
        async with database.sessionmaker() as session:
            await auth_service.create_user(session, "alice", PASSWORD, role=Role.ADMIN)
        await database.dispose()

    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(asyncio.run, create()).result()


def sign_in(page: Page, base_url: str, username: str = "alice", password: str = PASSWORD) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/")


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Per test: Playwright's sync API runs an event loop in this thread while it is
    active, which would break the async tests that run after it."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make system-deps` (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
