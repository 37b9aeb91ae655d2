"""Navidrome being down delays the discoveries playlist, never the request: the addition
waits, says so once in the timeline, and lands when Navidrome answers again.

The app here speaks to a Subsonic simulator that is started only halfway through,
on a port chosen up front, so "down" is a real refused connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select

from tastemaker.app import create_app
from tastemaker.auth.models import Role
from tastemaker.downloads.models import DownloadEvent, DownloadRequest, DownloadStatus
from tastemaker.playlists.models import AdditionState, DiscoveryAddition
from tastemaker.playlists.worker import DiscoveriesWorker
from tastemaker.preferences.models import UserPreferences
from tastemaker.settings import Settings
from tastemaker.simulators.catalogue import owned_artists
from tastemaker.simulators.runner import BackgroundServer
from tastemaker.simulators.subsonic import Library, SubsonicConfig
from tastemaker.simulators.subsonic import create_app as subsonic_app
from tests.conftest import empty_tables, make_user
from tests.servers.navidrome import free_port


@dataclass
class Rig:
    app: FastAPI
    worker: DiscoveriesWorker
    library: Library
    port: int


@pytest.fixture
async def rig(settings: Settings) -> AsyncIterator[Rig]:
    port = free_port()
    configured = settings.model_copy(
        update={
            "navidrome_url": f"http://127.0.0.1:{port}",
            "navidrome_user": "demo",
            "navidrome_password": "tastemaker-demo",
        }
    )
    app = create_app(configured)
    async with LifespanManager(app):
        worker: DiscoveriesWorker = app.state.discoveries
        await worker.aclose()  # cycles run by the test, one at a time
        worker.retry_base_seconds = 0.0  # "later" is the next cycle
        yield Rig(app, worker, Library.from_catalogue(owned_artists()[:2]), port)
        await empty_tables(app)


async def _completed_request(app: FastAPI, user_id: int, album_id: str) -> int:
    """A request as the downloads worker leaves it: completed, with where Navidrome listed it."""
    async with app.state.db.sessionmaker() as session:
        request = DownloadRequest(
            user_id=user_id,
            kind="album",
            target_key=f"rg-{album_id}"[:48],
            artist_name="Someone",
            artist_mbid="00000000-0000-0000-0000-000000000001",
            album_title="Something",
            album_mbid="00000000-0000-0000-0000-000000000002",
            status=DownloadStatus.COMPLETED,
            progress=100.0,
        )
        session.add(request)
        await session.flush()
        session.add(
            DownloadEvent(
                request_id=request.id,
                status=DownloadStatus.COMPLETED,
                message="In your library: ready to play",
                data={"library_album_id": album_id, "library_artist_id": None},
            )
        )
        await session.commit()
        await session.refresh(request)
        request_id = request.id
        await app.state.discoveries.request_completed(session, request)  # the downloads hook
        return request_id


async def _state(app: FastAPI, request_id: int) -> tuple[DiscoveryAddition, list[str], str]:
    async with app.state.db.sessionmaker() as session:
        addition = await session.scalar(
            select(DiscoveryAddition).where(DiscoveryAddition.request_id == request_id)
        )
        assert addition is not None
        messages = list(
            await session.scalars(
                select(DownloadEvent.message)
                .where(DownloadEvent.request_id == request_id)
                .order_by(DownloadEvent.id)
            )
        )
        request = await session.get(DownloadRequest, request_id)
        assert request is not None
        return addition, messages, request.status


async def test_navidrome_down_delays_the_playlist_and_a_later_try_adds_the_songs(
    rig: Rig,
) -> None:
    album = next(iter(rig.library.albums.values()))
    alice = await make_user(rig.app, "alice", Role.USER)
    request_id = await _completed_request(rig.app, alice.id, album.id)

    await rig.worker.run_once()  # nothing listens on the port yet

    addition, messages, status = await _state(rig.app, request_id)
    assert status == DownloadStatus.COMPLETED  # the request itself is untouched
    assert (addition.state, addition.attempts) == (AdditionState.PENDING, 1)
    assert "Navidrome" in (addition.error or "")
    assert messages[-1].startswith("Not added to Tastemaker Discoveries yet: Could not reach")

    simulator = subsonic_app(rig.library, SubsonicConfig(demo_state=False))
    with BackgroundServer(simulator, port=rig.port):
        await rig.worker.run_once()

    addition, messages, status = await _state(rig.app, request_id)
    tracks = len(album.song_ids)
    assert (addition.state, addition.tracks_added) == (AdditionState.DONE, tracks)
    assert messages[-1] == f"Added {tracks} tracks to Tastemaker Discoveries"
    assert sum(m.startswith("Not added") for m in messages) == 1  # said once, not per try
    playlists = list(simulator.state.subsonic.state.playlists.values())
    assert [(p.name, p.owner, p.song_ids) for p in playlists] == [
        ("Tastemaker Discoveries", "demo", album.song_ids)
    ]


async def test_a_user_who_turned_the_playlist_off_gets_nothing_added(rig: Rig) -> None:
    album = next(iter(rig.library.albums.values()))
    user = await make_user(rig.app, "bob", Role.USER)
    async with rig.app.state.db.sessionmaker() as session:
        prefs = await session.get(UserPreferences, user.id)
        assert prefs is not None
        prefs.discoveries_playlist = False
        await session.commit()
    request_id = await _completed_request(rig.app, user.id, album.id)

    simulator = subsonic_app(rig.library, SubsonicConfig(demo_state=False))
    with BackgroundServer(simulator, port=rig.port):
        await rig.worker.run_once()

    addition, messages, _ = await _state(rig.app, request_id)
    assert addition.state == AdditionState.SKIPPED
    assert not any("Discoveries" in m for m in messages)
    assert simulator.state.subsonic.state.playlists == {}
