"""Fixtures: a simulated Lidarr on loopback, a webhook receiver, and a contract-checked client."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from tastemaker.integrations.lidarr import LidarrClient
from tastemaker.simulators import catalogue
from tastemaker.simulators.lidarr import LidarrSimConfig, create_app
from tastemaker.simulators.runner import BackgroundServer

from .contract import ContractChecker

API_KEY = "0123456789abcdef0123456789abcdef"


def fast_config(**overrides: Any) -> LidarrSimConfig:
    """Speeds that keep a whole search → download → import well under a second."""
    settings: dict[str, Any] = {
        "api_key": API_KEY,
        "search_seconds": 0.05,
        "seconds_per_album": 0.6,
        "import_seconds": 0.1,
        "tick_seconds": 0.02,
    }
    settings.update(overrides)
    return LidarrSimConfig(**settings)


@dataclass
class Sim:
    server: BackgroundServer
    config: LidarrSimConfig
    imported: list[catalogue.Album] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url


@dataclass
class Receiver:
    """A stand-in for Tastemaker's webhook endpoint; the simulator posts to it."""

    url: str
    received: list[dict[str, Any]]
    auth_headers: list[str | None]

    def events(self) -> list[str]:
        return [str(payload.get("eventType")) for payload in self.received]


def start_sim(config: LidarrSimConfig) -> Sim:
    imported: list[catalogue.Album] = []
    lock = threading.Lock()

    async def on_import(album: catalogue.Album) -> None:
        with lock:  # called on the simulator's own thread and loop
            imported.append(album)

    server = BackgroundServer(create_app(config, on_import=on_import)).start()
    return Sim(server, config, imported)


@pytest.fixture
def sim_config() -> LidarrSimConfig:
    return fast_config()


@pytest.fixture
def sim(sim_config: LidarrSimConfig) -> Iterator[Sim]:
    running = start_sim(sim_config)
    yield running
    running.server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received: list[dict[str, Any]] = []
    auth: list[str | None] = []
    app = FastAPI()

    @app.api_route("/hook", methods=["POST", "PUT"])
    async def hook(request: Request) -> Response:
        received.append(await request.json())
        auth.append(request.headers.get("authorization"))
        return Response(status_code=204)

    with BackgroundServer(app) as server:
        yield Receiver(f"{server.url}/hook", received, auth)


@pytest.fixture(scope="session")
def contract() -> ContractChecker:
    return ContractChecker.from_specs()


@pytest.fixture
async def lidarr(sim: Sim, contract: ContractChecker) -> AsyncIterator[LidarrClient]:
    """The real client over HTTP; every call it makes is checked against the spec."""
    first = len(contract.violations)
    async with httpx.AsyncClient(event_hooks=contract.hooks()) as http:
        yield LidarrClient(sim.url, API_KEY, http=http, timeout=3.0)
    assert contract.violations[first:] == [], "traffic broke the Lidarr OpenAPI contract"


async def eventually(
    check: Callable[[], Awaitable[Any]], within: float = 5.0, interval: float = 0.03
) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``within`` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within} s (last: {result!r})")
        await asyncio.sleep(interval)
