"""The demo world plus listening sources: the ListenBrainz and Last.fm simulators on loopback.

- ``listening_sims`` (session): both simulators, serving the sample histories of the
  users ``demo`` and ``lena`` (drawn from the shared catalogue, so every MBID in them
  resolves through the Lidarr simulator); ``lena``'s ListenBrainz token is ``LB_TOKEN``.
- ``sources_settings``: ``stack_settings`` (the three other simulators) pointed at them.
- ``sources_app`` (session) / ``sources_client`` (per test; empties the tables after it).
- ``source_mode``: switch a simulator into a fault mode for one test.

Import into a conftest or test module with ``from tests.servers.listening import *``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from tastemaker.app import create_app
from tastemaker.settings import Settings
from tastemaker.simulators.lastfm import LastfmSimConfig
from tastemaker.simulators.lastfm import create_app as lastfm_simulator
from tastemaker.simulators.listenbrainz import ListenBrainzSimConfig
from tastemaker.simulators.listenbrainz import create_app as listenbrainz_simulator
from tastemaker.simulators.runner import BackgroundServer
from tests.servers.stack import *  # noqa: F403
from tests.servers.stack import sim_stack, stack_settings

__all__ = [
    "listening_sims",
    "sim_stack",
    "source_mode",
    "sources_app",
    "sources_client",
    "sources_settings",
    "stack_settings",
]

LASTFM_KEY = "fedcba9876543210fedcba9876543210"
LB_TOKEN = "2f4c7a9e-3b1d-4e5f-8a6b-7c8d9e0f1a2b"
USERS = ("demo", "lena")

SetSourceMode = Callable[..., Awaitable[None]]


@dataclass
class ListeningSims:
    listenbrainz_url: str
    lastfm_url: str

    def env(self) -> dict[str, Any]:
        return {
            "listenbrainz_url": self.listenbrainz_url,
            "listenbrainz_labs_url": self.listenbrainz_url,
            "lastfm_url": f"{self.lastfm_url}/2.0/",
            "lastfm_api_key": LASTFM_KEY,
        }


@pytest.fixture(scope="session")
def listening_sims() -> Iterator[ListeningSims]:
    listenbrainz = listenbrainz_simulator(
        ListenBrainzSimConfig(users=USERS, tokens={LB_TOKEN: "lena"})
    )
    lastfm = lastfm_simulator(LastfmSimConfig(api_key=LASTFM_KEY, users=USERS))
    with BackgroundServer(listenbrainz) as lb, BackgroundServer(lastfm) as fm:
        yield ListeningSims(lb.url, fm.url)


@pytest.fixture(scope="session")
def sources_settings(stack_settings: Settings, listening_sims: ListeningSims) -> Settings:
    # Beside ``stack_app`` on its database: the workers there are that app's alone.
    return stack_settings.model_copy(update={**listening_sims.env(), "background_work": "never"})


@pytest.fixture(scope="session")
async def sources_app(sources_settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(sources_settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def sources_client(sources_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    from tests.conftest import empty_tables

    transport = httpx.ASGITransport(app=sources_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await empty_tables(sources_app)


@pytest.fixture
async def source_mode(listening_sims: ListeningSims) -> AsyncIterator[SetSourceMode]:
    """``await source_mode("listenbrainz", mode="error_503")``; both reset afterwards."""

    async def set_mode(service: str, **control: Any) -> None:
        url = (
            listening_sims.listenbrainz_url
            if service == "listenbrainz"
            else listening_sims.lastfm_url
        )
        async with httpx.AsyncClient() as http:
            (await http.post(f"{url}/_sim/mode", json=control)).raise_for_status()

    yield set_mode
    async with httpx.AsyncClient() as http:
        for url in (listening_sims.listenbrainz_url, listening_sims.lastfm_url):
            await http.post(f"{url}/_sim/reset")
