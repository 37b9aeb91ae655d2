"""A ListenBrainz simulator on loopback (reset after each test) and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tastemaker.integrations.listenbrainz import ListenBrainzClient
from tastemaker.simulators.listenbrainz import ListenBrainzSimConfig, create_app
from tastemaker.simulators.runner import BackgroundServer

TOKEN = "5a1b7c7e-1d2e-4f00-9c1a-0123456789ab"


@pytest.fixture(scope="session")
def lb_server() -> Iterator[BackgroundServer]:
    config = ListenBrainzSimConfig(
        users=("demo", "Rob"),
        tokens={TOKEN: "Rob"},
        not_computed=("Rob",),
        empty=("quiet",),
    )
    with BackgroundServer(create_app(config)) as server:
        yield server


@pytest.fixture
async def lb_http(lb_server: BackgroundServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http:
        yield http
        await http.post(f"{lb_server.url}/_sim/reset")


@pytest.fixture
def listenbrainz(lb_server: BackgroundServer, lb_http: httpx.AsyncClient) -> ListenBrainzClient:
    return ListenBrainzClient(
        lb_server.url, http=lb_http, labs_url=lb_server.url, timeout=5, labs_interval=0
    )
