"""Downloads tests run against the shared simulator stack (``tests/servers/stack.py``).

The Lidarr simulator lives for the whole session, so each test takes artists no
earlier test touched (``fresh_album``). Every Lidarr call the app makes is checked
against the official OpenAPI document, and the worker runs at test speed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tastemaker.auth.models import Role
from tastemaker.simulators import catalogue
from tastemaker.simulators.lidarr.state import SimState
from tastemaker.simulators.subsonic.library import Library
from tests.conftest import api_login, make_user
from tests.integrations.lidarr.contract import ContractChecker
from tests.servers.stack import *  # noqa: F403
from tests.servers.stack import SimStack, lidarr_choices

_used: set[str] = set()


@dataclass
class LidarrCalls:
    """Every call the app made to Lidarr while the test ran."""

    base_url: str
    checker: ContractChecker
    calls: list[str] = field(default_factory=list)

    async def on_response(self, response: httpx.Response) -> None:
        if not str(response.request.url).startswith(self.base_url):
            return
        self.calls.append(f"{response.request.method} {response.request.url.path}")
        await self.checker.on_response(response)


@pytest.fixture(scope="session")
def contract_checker() -> ContractChecker:
    return ContractChecker.from_specs()


@pytest.fixture
def sim(sim_stack: SimStack) -> SimState:
    state: SimState = sim_stack.lidarr_app.state.sim
    return state


@pytest.fixture
async def lidarr_calls(
    stack_app: FastAPI, sim_stack: SimStack, contract_checker: ContractChecker
) -> AsyncIterator[LidarrCalls]:
    recorder = LidarrCalls(sim_stack.lidarr_url, contract_checker)
    hooks = stack_app.state.http.event_hooks
    hooks["response"] = [*hooks["response"], recorder.on_response]
    stack_app.state.http.event_hooks = hooks
    contract_checker.violations.clear()
    yield recorder
    hooks = stack_app.state.http.event_hooks
    hooks["response"] = [h for h in hooks["response"] if h != recorder.on_response]
    stack_app.state.http.event_hooks = hooks
    assert contract_checker.violations == [], contract_checker.violations


@pytest.fixture
async def downloads_stack(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, sim: SimState, lidarr_calls: LidarrCalls
) -> AsyncIterator[FastAPI]:
    """The stack app with Lidarr's root folder and profiles chosen, the worker fast."""
    async with stack_app.state.db.sessionmaker() as session:
        session.add_all(lidarr_choices(monitor="all"))
        await session.commit()
    stack_app.state.services.invalidate()
    worker = stack_app.state.downloads
    saved = (
        worker.tick_seconds,
        worker.poll_seconds,
        worker.retry_base_seconds,
        worker.retry_max_seconds,
    )
    # Restarted: the new timings apply from the first cycle, with a fresh tracker.
    await worker.aclose()
    worker.tick_seconds, worker.poll_seconds = 0.1, 0.2
    worker.retry_base_seconds, worker.retry_max_seconds = 0.2, 0.5
    worker.start()
    original = (
        sim.config.seconds_per_album,
        sim.config.fail_albums,
        sim.config.no_release_albums,
        sim.config.refresh_seconds,
    )
    yield stack_app
    await worker.aclose()  # before the simulator changes back under a running cycle
    (
        sim.config.seconds_per_album,
        sim.config.fail_albums,
        sim.config.no_release_albums,
        sim.config.refresh_seconds,
    ) = original
    sim.config.faults.status_code = None
    (
        worker.tick_seconds,
        worker.poll_seconds,
        worker.retry_base_seconds,
        worker.retry_max_seconds,
    ) = saved
    worker.start()


def _untouched(sim: SimState, library: Library) -> Iterator[catalogue.Artist]:
    owned = {a.mbid for a in catalogue.owned_artists()}
    # Also what the library lists already: another test may have had Lidarr fetch an
    # artist and then delete it from Lidarr (a cancel), leaving its albums behind.
    listed = {entry.name for entry in library.artists.values()}
    for artist in catalogue.catalogue():
        if artist.mbid in owned or artist.mbid in _used or sim.artist_by_mbid(artist.mbid):
            continue
        if artist.name in listed:
            continue
        if any(a.album_type == "Album" for a in artist.albums):
            yield artist


@pytest.fixture
def fresh_artist(sim: SimState, sim_stack: SimStack) -> Callable[[], catalogue.Artist]:
    """Hands out catalogue artists that neither Lidarr nor the library has seen."""
    library: Library = sim_stack.navidrome_app.state.subsonic.library

    def take() -> catalogue.Artist:
        artist = next(_untouched(sim, library), None)
        if artist is None:
            pytest.fail("the simulator's catalogue has no untouched artist left")
        _used.add(artist.mbid)
        return artist

    return take


def an_album(artist: catalogue.Artist) -> catalogue.Album:
    return next(a for a in artist.albums if a.album_type == "Album")


@dataclass
class Person:
    http: httpx.AsyncClient
    csrf: str
    username: str

    async def request(self, artist_mbid: str, album_mbid: str | None = None) -> httpx.Response:
        body: dict[str, Any] = {"artist_mbid": artist_mbid}
        if album_mbid:
            body["album_mbid"] = album_mbid
        return await self.http.post(
            "/api/downloads", json=body, headers={"X-CSRF-Token": self.csrf}
        )

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.post(path, headers={"X-CSRF-Token": self.csrf}, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def wait_for(
        self, download_id: int, *statuses: str, within: float = 60.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + within
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            response = await self.http.get(f"/api/downloads/{download_id}")
            assert response.status_code == 200, response.text
            body = response.json()
            if body["status"] in statuses:
                return body
            await asyncio.sleep(0.05)
        raise AssertionError(f"request {download_id} never reached {statuses}: {body}")


PersonFactory = Callable[..., Awaitable[Person]]


@pytest.fixture
async def person(
    downloads_stack: FastAPI, stack_client: httpx.AsyncClient
) -> AsyncIterator[PersonFactory]:
    """``await person("bob")``: a signed-in user (``admin=True`` for an admin) with a client."""
    clients: list[httpx.AsyncClient] = []

    async def make(username: str, *, admin: bool = False) -> Person:
        await make_user(downloads_stack, username, Role.ADMIN if admin else Role.USER)
        http = (
            stack_client
            if not clients
            else httpx.AsyncClient(
                transport=httpx.ASGITransport(app=downloads_stack), base_url="http://testserver"
            )
        )
        clients.append(http)
        return Person(http, await api_login(http, username), username)

    yield make
    for http in clients[1:]:
        await http.aclose()
