"""Fills each user's discoveries playlist as their requests complete, in the background.

The downloads worker calls :meth:`DiscoveriesWorker.request_completed` when a request
becomes ``completed``; that only writes a pending row (``discovery_additions``), so
completing a request never waits for (or fails because of) the playlist. This
worker's loop then adds the songs as the user's Navidrome identity and writes the
outcome in the request's timeline. When Navidrome cannot be reached it tries again
later, backing off up to ``retry_max_seconds``; the request stays ``completed``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.auth.models import User
from tastemaker.db import Database
from tastemaker.downloads import service as downloads
from tastemaker.downloads.models import DownloadEvent, DownloadRequest, DownloadStatus
from tastemaker.downloads.schemas import LIBRARY_KEYS
from tastemaker.errors import ServiceError, ServiceNotFound
from tastemaker.integrations.navidrome import NavidromeClient
from tastemaker.playlists import discoveries
from tastemaker.playlists.models import AdditionState, DiscoveryAddition
from tastemaker.preferences.models import DISCOVERIES_NAME, UserPreferences
from tastemaker.services.hub import ServiceHub
from tastemaker.worker_loop import WorkerLoop

log = logging.getLogger(__name__)
BATCH = 20
# An artist request completes with its first album listed; more than this is Lidarr
# fetching a whole discography, which is not "what I asked for".
MAX_ARTIST_ALBUMS = 10


def _tracks(count: int) -> str:
    return f"{count} track{'' if count == 1 else 's'}"


class DiscoveriesWorker(WorkerLoop):
    """Started in the app's lifespan (``app.state.discoveries``)."""

    name = "discoveries-worker"

    def __init__(
        self,
        db: Database,
        hub: ServiceHub,
        *,
        tick_seconds: float = 5.0,
        retry_base_seconds: float = 15.0,
        retry_max_seconds: float = 1800.0,
        lease_seconds: float = 120.0,
    ) -> None:
        super().__init__(tick_seconds)
        self.db = db
        self.hub = hub
        self.retry_base_seconds = retry_base_seconds
        self.retry_max_seconds = retry_max_seconds
        self.lease_seconds = lease_seconds
        self._claimed: int | None = None  # the addition leased right now

    # -- lifecycle ---------------------------------------------------------------------

    async def release_leases(self) -> None:
        """The addition in flight (if any) goes back, due at once."""
        if self._claimed is None:
            return
        claimed, self._claimed = self._claimed, None
        async with self.db.sessionmaker() as session:
            await session.execute(
                update(DiscoveryAddition)
                .where(
                    DiscoveryAddition.id == claimed,
                    DiscoveryAddition.state == AdditionState.PENDING,
                )
                .values(next_attempt_at=None)
                .execution_options(synchronize_session=False)
            )
            await session.commit()

    # -- the hook ----------------------------------------------------------------------

    async def request_completed(self, session: AsyncSession, request: DownloadRequest) -> None:
        """Note that ``request``'s songs go into its user's playlist (the downloads hook)."""
        addition = await session.scalar(
            select(DiscoveryAddition).where(DiscoveryAddition.request_id == request.id)
        )
        if addition is None:
            session.add(DiscoveryAddition(request_id=request.id, user_id=request.user_id))
        else:  # completed again after a retry: add again (songs already there are skipped)
            addition.state = AdditionState.PENDING
            addition.attempts = 0
            addition.next_attempt_at = None
            addition.error = None
        await session.commit()
        self.wake()

    # -- one cycle ---------------------------------------------------------------------

    async def run_once(self) -> int:
        """Work through the additions that are due; returns how many were tried."""
        moment = downloads.now()
        async with self.db.sessionmaker() as session:
            ids = list(
                await session.scalars(
                    select(DiscoveryAddition.id)
                    .where(
                        DiscoveryAddition.state == AdditionState.PENDING,
                        or_(
                            DiscoveryAddition.next_attempt_at.is_(None),
                            DiscoveryAddition.next_attempt_at <= moment,
                        ),
                    )
                    .order_by(DiscoveryAddition.id)
                    .limit(BATCH)
                )
            )
        for addition_id in ids:
            if self._stopping:
                break
            await self._one(addition_id)
        return len(ids)

    async def _claim(self, session: AsyncSession, addition_id: int) -> bool:
        """A lease, so a second instance never adds the same request at once."""
        moment = downloads.now()
        result = await session.execute(
            update(DiscoveryAddition)
            .where(
                DiscoveryAddition.id == addition_id,
                DiscoveryAddition.state == AdditionState.PENDING,
                or_(
                    DiscoveryAddition.next_attempt_at.is_(None),
                    DiscoveryAddition.next_attempt_at <= moment,
                ),
            )
            .values(next_attempt_at=moment + timedelta(seconds=self.lease_seconds))
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        return bool(getattr(result, "rowcount", 0))

    async def _one(self, addition_id: int) -> None:
        async with self.db.sessionmaker() as session:
            if not await self._claim(session, addition_id):
                return
            self._claimed = addition_id
            try:
                await self._add(session, addition_id)
            finally:
                self._claimed = None

    async def _add(self, session: AsyncSession, addition_id: int) -> None:
        """One addition, leased by the caller: add its songs, or plan the next try."""
        addition = await session.get(DiscoveryAddition, addition_id)
        request = await session.get(DownloadRequest, addition.request_id) if addition else None
        user = await session.get(User, addition.user_id) if addition else None
        if addition is None or request is None or user is None:
            return
        prefs = await session.get(UserPreferences, user.id)
        if prefs is not None and not prefs.discoveries_playlist:
            await self._finish(session, addition, AdditionState.SKIPPED)
            return
        name = prefs.discoveries_playlist_name if prefs is not None else DISCOVERIES_NAME
        try:
            navidrome = await self.hub.navidrome(user)
            songs = await _request_songs(session, navidrome, request)
            if not songs:
                await self._finish(session, addition, AdditionState.SKIPPED)
                return
            added = await discoveries.add(session, navidrome, user.id, name, songs)
        except ServiceError as error:
            await self._later(session, addition, request, name, error)
            return
        await self._finish(session, addition, AdditionState.DONE, added.count)
        await session.refresh(request)
        if added.count:
            message = f"Added {_tracks(added.count)} to {added.playlist_name}"
        else:
            message = f"Its tracks were already in {added.playlist_name}"
        await downloads.note(session, request, message)

    async def _finish(
        self,
        session: AsyncSession,
        addition: DiscoveryAddition,
        state: AdditionState,
        count: int = 0,
    ) -> None:
        addition.state = state
        addition.tracks_added = count
        addition.next_attempt_at = None
        addition.error = None
        await session.commit()

    async def _later(
        self,
        session: AsyncSession,
        addition: DiscoveryAddition,
        request: DownloadRequest,
        name: str,
        error: ServiceError,
    ) -> None:
        await session.rollback()
        await session.refresh(addition)
        attempts = addition.attempts = addition.attempts + 1
        delay = min(self.retry_max_seconds, self.retry_base_seconds * 2 ** (attempts - 1))
        addition.next_attempt_at = downloads.now() + timedelta(seconds=delay)
        addition.error = error.detail
        request_id = addition.request_id
        await session.commit()
        log.info("discoveries: request %s waits for Navidrome: %s", request_id, error.detail)
        if attempts == 1:  # once in the timeline, not at every retry
            await session.refresh(request)
            await downloads.note(
                session,
                request,
                f"Not added to {name} yet: {error.detail}. Tastemaker keeps trying.",
            )


async def _request_songs(
    session: AsyncSession, navidrome: NavidromeClient, request: DownloadRequest
) -> Sequence[str]:
    """The songs the request brought, from where Navidrome listed it when it completed."""
    rows = await session.scalars(
        select(DownloadEvent.data)
        .where(
            DownloadEvent.request_id == request.id,
            DownloadEvent.status == DownloadStatus.COMPLETED,
        )
        .order_by(DownloadEvent.id.desc())
    )
    # The completion's own row (later notes, like ours, carry no library ids).
    data: dict[str, Any] = next((d for d in rows if d and LIBRARY_KEYS & set(d)), {})
    album_id, artist_id = data.get("library_album_id"), data.get("library_artist_id")
    try:
        if album_id:
            return discoveries.song_ids(await navidrome.album(str(album_id)))
        if artist_id:
            artist = await navidrome.artist(str(artist_id))
            songs: list[str] = []
            for album in artist.album[:MAX_ARTIST_ALBUMS]:
                songs += discoveries.song_ids(await navidrome.album(album.id))
            return songs
    except ServiceNotFound:  # gone from the library since: nothing to add
        return []
    return []
