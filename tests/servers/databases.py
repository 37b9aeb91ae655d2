"""A database of its own, for tests that run an app beside the shared ones.

``fresh_database(kind, folder)`` yields the URL of a freshly migrated SQLite file or
PostgreSQL database (created on ``TEST_DATABASE_URL``'s server, dropped afterwards);
``migrated=False`` leaves it empty, for tests of the migrations themselves.
The shared apps' background workers never see its rows, and it never sees theirs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import make_url

from tastemaker import migrate
from tests.conftest import TEST_DATABASE_URL, _pg_admin

DatabaseKind = Literal["sqlite", "postgresql"]


@contextmanager
def fresh_database(kind: DatabaseKind, folder: Path, *, migrated: bool = True) -> Iterator[str]:
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'tastemaker.db'}"
        if migrated:
            migrate.upgrade(url)
        yield url
        return
    name = f"tastemaker_own_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    url = make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    try:
        if migrated:
            migrate.upgrade(url)
        yield url
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
