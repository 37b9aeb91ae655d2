"""The fault matrix: an app with short timeouts on a database of its own, wired to the
shared simulators, and a ``breaker`` that makes one service fail in one way.

The service connections are stored in the database, as an admin saves them (not set
by the environment), so a service can be taken "down" by pointing it at a port
nobody listens on. The other faults are the simulators' own: Lidarr's and Navidrome's
``/_sim/faults``, Ollama's ``/_sim/mode``. Every fault is mended after each test.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import update

from tastemaker.app import create_app
from tastemaker.auth.models import Role
from tastemaker.services.models import ServiceSetting
from tastemaker.settings import Settings
from tastemaker.simulators import catalogue
from tastemaker.simulators.lidarr.state import SimState
from tests.conftest import api_login, empty_tables, make_user
from tests.servers.databases import DatabaseKind, fresh_database
from tests.servers.stack import *  # noqa: F403
from tests.servers.stack import (
    SimStack,
)

Service = Literal["navidrome", "lidarr", "ollama"]
Fault = Literal["down", "slow", "error_500", "garbage", "cut"]
SERVICES: tuple[Service, ...] = ("navidrome", "lidarr", "ollama")
FAULTS: tuple[Fault, ...] = ("down", "slow", "error_500", "garbage", "cut")
TITLES = {"navidrome": "Navidrome", "lidarr": "Lidarr", "ollama": "Ollama"}
TIMEOUT = 0.5  # seconds, for Navidrome and Lidarr
OLLAMA_TIMEOUT = 1.5

# What each fault does on the simulators that have /_sim/faults (Lidarr, Navidrome).
SIM_FAULTS: dict[Fault, dict[str, Any]] = {
    "slow": {"delay_seconds": TIMEOUT * 4},
    "error_500": {"status_code": 500},
    "garbage": {"garbage": "html"},
    "cut": {"disconnect": True},
}
# ... and on Ollama, whose simulator has modes instead.
OLLAMA_MODES: dict[Fault, str] = {
    "slow": "hang",
    "error_500": "error_500",
    "garbage": "garbage",
    "cut": "cut",
}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again: nothing listens there


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def fault_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    kind: DatabaseKind = request.param
    folder = tmp_path_factory.mktemp(f"faults-{kind}")
    with fresh_database(kind, folder) as url:
        settings = Settings(
            _env_file=None,
            database_url=url,
            data_dir=folder / "data",
            secret_key="fault-tests-secret-key",
            service_timeout_seconds=TIMEOUT,
            ollama_timeout_seconds=OLLAMA_TIMEOUT,
            background_work="always",
        )
        app = create_app(settings)
        async with LifespanManager(app):
            worker = app.state.downloads
            await worker.aclose()
            worker.tick_seconds, worker.poll_seconds = 0.1, 0.2
            worker.retry_base_seconds, worker.retry_max_seconds = 0.2, 0.5
            worker.start()
            yield app


@dataclass
class Breaker:
    app: FastAPI
    sims: SimStack

    async def connect_all(self) -> None:
        async with self.app.state.db.sessionmaker() as session:
            session.add_all(self.sims.saved_connections(self.app.state.secret_box))
            await session.commit()
        self.refresh()

    def refresh(self) -> None:
        self.app.state.services.invalidate()
        self.app.state.library_cache.invalidate()

    def url(self, service: Service) -> str:
        return {
            "navidrome": self.sims.navidrome_url,
            "lidarr": self.sims.lidarr_url,
            "ollama": self.sims.ollama_url,
        }[service]

    async def _point(self, service: Service, url: str) -> None:
        async with self.app.state.db.sessionmaker() as session:
            await session.execute(
                update(ServiceSetting)
                .where(ServiceSetting.service == service, ServiceSetting.key == "url")
                .values(value=url)
            )
            await session.commit()
        self.refresh()

    async def break_(self, service: Service, fault: Fault) -> None:
        if fault == "down":
            await self._point(service, f"http://127.0.0.1:{closed_port()}")
            return
        async with httpx.AsyncClient(base_url=self.url(service)) as sim:
            if service == "ollama":
                answer = await sim.post("/_sim/mode", json={"mode": OLLAMA_MODES[fault]})
            else:
                answer = await sim.put("/_sim/faults", json=SIM_FAULTS[fault])
            answer.raise_for_status()
        self.refresh()

    async def mend(self) -> None:
        for service in SERVICES:
            await self._point(service, self.url(service))
        async with httpx.AsyncClient() as sim:
            await sim.delete(self.sims.navidrome_url + "/_sim/faults")
            await sim.delete(self.sims.lidarr_url + "/_sim/faults")
            await sim.post(self.sims.ollama_url + "/_sim/reset")
        self.refresh()


@pytest.fixture
async def breaker(fault_app: FastAPI, sim_stack: SimStack) -> AsyncIterator[Breaker]:
    found = Breaker(fault_app, sim_stack)
    await found.connect_all()
    yield found
    await found.mend()
    await empty_tables(fault_app)


@pytest.fixture
async def browser(fault_app: FastAPI, breaker: Breaker) -> AsyncIterator[httpx.AsyncClient]:
    """Signed in as an admin (who sees everything); the CSRF header is set."""
    transport = httpx.ASGITransport(app=fault_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        await make_user(fault_app, "fiona", Role.ADMIN)
        http.headers["X-CSRF-Token"] = await api_login(http, "fiona")
        yield http


async def eventually(
    check: Callable[[], Awaitable[bool]], within: float = 30.0, what: str = "it"
) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not happen within {within} s")
        await asyncio.sleep(0.1)


def untouched_albums(sim: SimState) -> Iterator[catalogue.Album]:
    """Albums nobody asked Lidarr for yet (the simulator is shared by the whole session).

    From the end of the catalogue, several per artist: the downloads tests take whole
    artists from its start, and skip any artist Lidarr already has.
    """
    owned = {artist.mbid for artist in catalogue.owned_artists()}
    asked = {album.source.mbid for album in sim.albums.values() if album.monitored}
    for artist in reversed(catalogue.catalogue()):
        if artist.mbid in owned:
            continue
        for album in artist.albums:
            if album.mbid not in asked:
                yield album
