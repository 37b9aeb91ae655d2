"""The whole app served on a loopback port, on a database of its own, for the fuzzer
and the secrets scan: real HTTP, real simulators, every log record kept.

``served_world(kind, folder)`` starts fresh simulators and a fresh database (SQLite
or PostgreSQL), saves the service connections as an admin would (so none is locked by
the environment), creates an admin and a plain user with an API token each, and serves
``create_app`` with uvicorn in a background thread. Nothing is shared with the other
tests' apps, so what the fuzzer creates (requests, runs, settings) stays here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tastemaker.app import create_app
from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role
from tastemaker.db import Database, import_models
from tastemaker.encryption import SecretBox
from tastemaker.services.models import ServiceSetting
from tastemaker.settings import Settings
from tastemaker.simulators.runner import BackgroundServer
from tests.conftest import PASSWORD
from tests.servers.databases import DatabaseKind, fresh_database
from tests.servers.stack import SimStack, running_simulators

SECRET_KEY = "served-secret-key-that-must-never-leak-0123456789"


# Loggers of the app and of the libraries it calls services with; not the simulators'
# (they are the services) nor the test's own HTTP client.
APP_LOGGERS = ("tastemaker", "uvicorn", "httpx", "ollama", "sqlalchemy", "alembic")


class KeepRecords(logging.Handler):
    """Every log record of the app, formatted as it would be written (with tracebacks)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        return name.startswith(APP_LOGGERS) and not name.startswith("tastemaker.simulators")

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def keeping_records(level: int) -> Iterator[KeepRecords]:
    """Collect the app's records at ``level`` (DEBUG: what an admin debugging would see)."""
    records = KeepRecords()
    root = logging.getLogger()
    loggers = [logging.getLogger(name) for name in ("tastemaker", "httpx")]
    saved = [logger.level for logger in loggers]
    root.addHandler(records)
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield records
    finally:
        root.removeHandler(records)
        for logger, old in zip(loggers, saved, strict=True):
            logger.setLevel(old)


@dataclass
class World:
    url: str
    settings: Settings
    sims: SimStack
    admin_token: str
    user_token: str
    log: KeepRecords
    extra: dict[str, Any] = field(default_factory=dict)

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def sign_in(self, username: str) -> tuple[str, str]:
        """A fresh browser session: (cookie value, CSRF token)."""
        response = httpx.post(
            self.url + "/api/auth/login", json={"username": username, "password": PASSWORD}
        )
        response.raise_for_status()
        return response.cookies["tastemaker_session"], response.json()["csrf_token"]


def in_thread(coroutine: Any) -> Any:
    # A thread of its own: pytest-asyncio may be running a loop in this one.
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


async def _seed(database_url: str, connections: list[ServiceSetting]) -> tuple[str, str]:
    """The service connections as an admin saves them, an admin and a user with a token each."""
    import_models()
    database = Database(database_url)
    try:
        async with database.sessionmaker() as session:
            session.add_all(connections)
            admin = await auth_service.create_user(session, "root", PASSWORD, role=Role.ADMIN)
            user = await auth_service.create_user(session, "bob", PASSWORD)
            admin_token, _ = await auth_service.create_api_token(session, admin, "fuzz")
            user_token, _ = await auth_service.create_api_token(session, user, "fuzz")
            return admin_token, user_token
    finally:
        await database.dispose()


@contextmanager
def served_world(
    kind: DatabaseKind, folder: Path, log_level: int = logging.INFO, **overrides: Any
) -> Iterator[World]:
    with running_simulators(folder / "music") as sims, fresh_database(kind, folder) as database_url:
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            data_dir=folder / "data",
            secret_key=SECRET_KEY,
            login_max_attempts=1000,
            background_work="always",
            **overrides,
        )
        connections = sims.saved_connections(SecretBox(settings.resolved_secret_key))
        admin_token, user_token = in_thread(_seed(database_url, connections))
        with (
            keeping_records(log_level) as records,
            BackgroundServer(create_app(settings)) as server,
        ):
            yield World(server.url, settings, sims, admin_token, user_token, records)
