"""A Last.fm simulator on loopback (reset after each test) and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tastemaker.integrations.lastfm import LastfmClient
from tastemaker.simulators.lastfm import LastfmSimConfig, create_app
from tastemaker.simulators.runner import BackgroundServer

API_KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="session")
def lastfm_server() -> Iterator[BackgroundServer]:
    config = LastfmSimConfig(
        api_key=API_KEY, users=("demo",), single_scrobble=("once",), empty=("quiet",)
    )
    with BackgroundServer(create_app(config)) as server:
        yield server


@pytest.fixture
async def lastfm_http(lastfm_server: BackgroundServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http:
        yield http
        await http.post(f"{lastfm_server.url}/_sim/reset")


def client_for(
    server: BackgroundServer, http: httpx.AsyncClient, key: str = API_KEY, **options: float
) -> LastfmClient:
    settings: dict[str, float] = {"min_interval": 0, "backoff": 0.05, "retries": 2}
    settings.update(options)
    return LastfmClient(f"{server.url}/2.0/", key, http=http, timeout=5, **settings)  # type: ignore[arg-type]


@pytest.fixture
def lastfm(lastfm_server: BackgroundServer, lastfm_http: httpx.AsyncClient) -> LastfmClient:
    return client_for(lastfm_server, lastfm_http)
