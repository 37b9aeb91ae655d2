"""The app wired to real Subsonic servers: the simulator (``stack_*``, with a listening
history), supysonic (``supy_*``), and a Navidrome that is not running (``down_*``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from tastemaker.app import create_app as create_tastemaker_app
from tastemaker.settings import Settings
from tests.conftest import empty_tables
from tests.servers.navidrome import *  # noqa: F403
from tests.servers.navidrome import SubsonicServer, free_port
from tests.servers.stack import *  # noqa: F403


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await empty_tables(app)


@pytest.fixture(scope="session")
async def supy_app(settings: Settings, supysonic_server: SubsonicServer) -> AsyncIterator[FastAPI]:
    configured = settings.model_copy(
        update={
            "navidrome_url": supysonic_server.url,
            "navidrome_user": supysonic_server.user,
            "navidrome_password": supysonic_server.password,
        }
    )
    application = create_tastemaker_app(configured)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def supy_client(supy_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(supy_app):
        yield http


@pytest.fixture(scope="session")
async def down_app(settings: Settings) -> AsyncIterator[FastAPI]:
    configured = settings.model_copy(
        update={
            "navidrome_url": f"http://127.0.0.1:{free_port()}",
            "navidrome_user": "nobody",
            "navidrome_password": "nothing",
        }
    )
    application = create_tastemaker_app(configured)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def down_client(down_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(down_app):
        yield http
