"""Run Alembic from the app: ``tastemaker db upgrade``, the demo and the tests."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["database_url"] = database_url
    return config


def _in_own_thread(action: Callable[[], None]) -> None:
    """Run in a fresh thread: the migration environment starts its own event loop,
    which fails in a thread that already runs one (an async caller, Playwright's sync API)."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(action).result()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe to run on every start."""
    _in_own_thread(lambda: command.upgrade(alembic_config(database_url), revision))


def check(database_url: str) -> None:
    """Raise if the models and the migrations disagree."""
    _in_own_thread(lambda: command.check(alembic_config(database_url)))
