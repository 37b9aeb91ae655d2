"""Fixtures for the Navidrome client tests: both real Subsonic peers, and a client on each.

``server`` runs a test once against supysonic and once against the simulator;
tests that need one peer's particular behaviour use its fixture directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tastemaker.integrations.navidrome import NavidromeClient, NavidromeCredentials
from tests.servers.navidrome import (  # noqa: F401  (fixtures re-exported for this directory)
    SubsonicServer,
    sample_library_dir,
    simulator_second_user,
    subsonic_simulator,
    subsonic_simulator_state,
    supysonic_second_user,
    supysonic_server,
)

PEERS = ("supysonic", "simulator")


@pytest.fixture(params=PEERS)
def peer(request: pytest.FixtureRequest) -> str:
    """Which Subsonic server the test runs against: ``supysonic`` or ``simulator``."""
    name: str = request.param
    return name


@pytest.fixture
def server(peer: str, request: pytest.FixtureRequest) -> SubsonicServer:
    name = "supysonic_server" if peer == "supysonic" else "subsonic_simulator"
    found: SubsonicServer = request.getfixturevalue(name)
    return found


@pytest.fixture
def second_user(peer: str, request: pytest.FixtureRequest) -> SubsonicServer:
    name = "supysonic_second_user" if peer == "supysonic" else "simulator_second_user"
    found: SubsonicServer = request.getfixturevalue(name)
    return found


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def navidrome(http: httpx.AsyncClient, server: SubsonicServer) -> NavidromeClient:
    return NavidromeClient(http, server.url, NavidromeCredentials(server.user, server.password))
