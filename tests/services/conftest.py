"""The Lidarr and Ollama simulators on loopback, for the service settings tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tastemaker.simulators.lidarr import LidarrSimConfig
from tastemaker.simulators.lidarr import create_app as lidarr_simulator
from tastemaker.simulators.ollama import create_app as ollama_simulator
from tastemaker.simulators.runner import BackgroundServer
from tests.servers.stack import *  # noqa: F403

LIDARR_KEY = "services-test-lidarr-key"


@pytest.fixture(scope="session")
def lidarr_url() -> Iterator[str]:
    with BackgroundServer(lidarr_simulator(LidarrSimConfig(api_key=LIDARR_KEY))) as server:
        yield server.url


@pytest.fixture(scope="session")
def ollama_url() -> Iterator[str]:
    with BackgroundServer(ollama_simulator()) as server:
        yield server.url
