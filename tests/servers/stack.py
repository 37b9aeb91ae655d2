"""The whole demo world for feature tests: the app wired to all three simulators.

- ``sim_stack`` (session): a Subsonic simulator serving a freshly written sample
  library (3-second clips), the Lidarr simulator importing into that library
  (fast downloads), and the Ollama simulator, each on its own loopback port.
- ``stack_settings``: app settings pointing at them (as environment values would).
- ``stack_app`` (session, async) / ``stack_client`` (per test; empties the tables
  after the test): the app on those settings, on SQLite and on PostgreSQL.

Import into a conftest with ``from tests.servers.stack import *``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from tastemaker.app import create_app
from tastemaker.settings import Settings
from tastemaker.simulators import catalogue
from tastemaker.simulators.lidarr import LidarrSimConfig
from tastemaker.simulators.lidarr import create_app as lidarr_simulator
from tastemaker.simulators.ollama import OllamaSimConfig
from tastemaker.simulators.ollama import create_app as ollama_simulator
from tastemaker.simulators.runner import BackgroundServer
from tastemaker.simulators.sample_library import write_album, write_sample_library
from tastemaker.simulators.subsonic import create_app_for_directory

__all__ = ["sim_stack", "stack_app", "stack_client", "stack_settings"]

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


@pytest.fixture(scope="session")
def sim_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimStack]:
    music_dir = tmp_path_factory.mktemp("stack-music")
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
def stack_settings(settings: Settings, sim_stack: SimStack) -> Settings:
    return settings.model_copy(update=sim_stack.env())


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
