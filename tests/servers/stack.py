"""The whole demo world for feature tests: the app wired to all three simulators.

- ``sim_stack`` (session): a Subsonic simulator serving a freshly written sample
  library (3-second clips), the Lidarr simulator importing into that library
  (fast downloads), and the Ollama simulator, each on its own loopback port.
- ``stack_settings``: app settings pointing at them (as environment values would), on a
  database of its own where background work runs (the shared one runs none);
  ``served_stack_settings``: the same on yet another database, for a served app.
- ``stack_app`` (session, async) / ``stack_client`` (per test; empties the tables
  after the test): the app on those settings, on SQLite and on PostgreSQL.

Import into a conftest with ``from tests.servers.stack import *``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from tastemaker.app import create_app
from tastemaker.encryption import SecretBox
from tastemaker.services.models import ServiceSetting
from tastemaker.settings import Settings
from tastemaker.simulators import catalogue
from tastemaker.simulators.lidarr import LidarrSimConfig
from tastemaker.simulators.lidarr import create_app as lidarr_simulator
from tastemaker.simulators.ollama import OllamaSimConfig
from tastemaker.simulators.ollama import create_app as ollama_simulator
from tastemaker.simulators.runner import BackgroundServer
from tastemaker.simulators.sample_library import write_album, write_sample_library
from tastemaker.simulators.subsonic import create_app_for_directory

__all__ = [
    "lidarr_choices",
    "served_stack_settings",
    "sim_stack",
    "stack_app",
    "stack_client",
    "stack_settings",
]

NAVIDROME_USER = "demo"
NAVIDROME_PASSWORD = "tastemaker-demo"
LIDARR_KEY = "stack-lidarr-key"
OLLAMA_MODEL = "llama3.2"
CLIP_SECONDS = 3.0


@dataclass
class SimStack:
    navidrome_url: str
    lidarr_url: str
    ollama_url: str
    music_dir: Path
    navidrome_app: FastAPI
    lidarr_app: FastAPI
    ollama_app: FastAPI

    def env(self) -> dict[str, Any]:
        return {
            "navidrome_url": self.navidrome_url,
            "navidrome_user": NAVIDROME_USER,
            "navidrome_password": NAVIDROME_PASSWORD,
            "lidarr_url": self.lidarr_url,
            "lidarr_api_key": LIDARR_KEY,
            "ollama_url": self.ollama_url,
            "ollama_model": OLLAMA_MODEL,
        }

    def saved_connections(self, box: SecretBox) -> list[ServiceSetting]:
        """The same connections as rows an admin saved on Settings → Services (secrets
        encrypted), with Lidarr's root folder and profiles chosen: nothing is locked."""
        values = {
            "navidrome": {
                "url": self.navidrome_url,
                "username": NAVIDROME_USER,
                "password": NAVIDROME_PASSWORD,
            },
            "lidarr": {
                "url": self.lidarr_url,
                "api_key": LIDARR_KEY,
                "root_folder": "/music",
                "quality_profile_id": "1",
                "metadata_profile_id": "1",
            },
            "ollama": {"url": self.ollama_url, "model": OLLAMA_MODEL},
        }
        return [
            ServiceSetting(
                service=service,
                key=key,
                value=box.encrypt(value) if key in ("password", "api_key") else value,
                is_secret=key in ("password", "api_key"),
            )
            for service, fields in values.items()
            for key, value in fields.items()
        ]


def lidarr_choices(**extra: str) -> list[ServiceSetting]:
    """Lidarr's root folder and profiles as an admin chose them on Settings → Services:
    with them requests are sent (without them the downloads worker waits)."""
    values = {"root_folder": "/music", "quality_profile_id": "1", "metadata_profile_id": "1"}
    return [
        ServiceSetting(service="lidarr", key=key, value=value)
        for key, value in (values | extra).items()
    ]


@contextmanager
def running_simulators(music_dir: Path) -> Iterator[SimStack]:
    """A fresh stack of the three simulators over a freshly written sample library."""
    write_sample_library(music_dir, clip_seconds=CLIP_SECONDS)

    async def import_into_library(album: catalogue.Album) -> None:
        await asyncio.to_thread(write_album, music_dir, album, clip_seconds=CLIP_SECONDS)

    navidrome_app = create_app_for_directory(music_dir)
    lidarr_app = lidarr_simulator(
        LidarrSimConfig(
            api_key=LIDARR_KEY, search_seconds=0.2, seconds_per_album=1.0, import_seconds=0.2
        ),
        on_import=import_into_library,
    )
    ollama_app = ollama_simulator(OllamaSimConfig())
    with (
        BackgroundServer(navidrome_app) as navidrome,
        BackgroundServer(lidarr_app) as lidarr,
        BackgroundServer(ollama_app) as ollama,
    ):
        yield SimStack(
            navidrome_url=navidrome.url,
            lidarr_url=lidarr.url,
            ollama_url=ollama.url,
            music_dir=music_dir,
            navidrome_app=navidrome_app,
            lidarr_app=lidarr_app,
            ollama_app=ollama_app,
        )


@pytest.fixture(scope="session")
def sim_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimStack]:
    with running_simulators(tmp_path_factory.mktemp("stack-music")) as stack:
        yield stack


def _own_database(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[Settings]:
    """``settings`` on a freshly migrated database of the same kind, with background work."""
    from tests.servers.databases import DatabaseKind, fresh_database

    kind: DatabaseKind = "sqlite" if settings.is_sqlite else "postgresql"
    with fresh_database(kind, tmp_path_factory.mktemp(f"{name}-{kind}")) as url:
        yield settings.model_copy(update={"database_url": url, "background_work": "always"})


@pytest.fixture(scope="session")
def stack_settings(
    settings: Settings, sim_stack: SimStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """The stack app's settings, on a database of its own where its workers run alone."""
    yield from _own_database(settings.model_copy(update=sim_stack.env()), tmp_path_factory, "stack")


@pytest.fixture(scope="session")
def served_stack_settings(
    stack_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """For the stack app served over HTTP (browser tests) while ``stack_app`` lives on:
    a database of its own again, so the served app's workers are the only ones there."""
    yield from _own_database(stack_settings, tmp_path_factory, "served-stack")


@pytest.fixture(scope="session")
async def stack_app(stack_settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(stack_settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def stack_client(stack_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    from tests.conftest import empty_tables

    transport = httpx.ASGITransport(app=stack_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await empty_tables(stack_app)
