"""Following requests once Lidarr has them: from its queue and history (polling), from
its webhook, and in Navidrome until the album can be played.

One poll costs two Lidarr calls however many requests are open: the queue (one
page, large enough for any real queue) and the history since the last poll. Both
are fanned out to the requests locally, like a Home Assistant coordinator.
"""

from __future__ import annotations

import logging
import unicodedata
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.downloads import service
from tastemaker.downloads.config import DownloadSettings
from tastemaker.downloads.models import DownloadRequest, DownloadStatus
from tastemaker.errors import ServiceError
from tastemaker.integrations.lidarr.models import HistoryRecord, QueueItem
from tastemaker.integrations.navidrome import NavidromeClient
from tastemaker.services.hub import ServiceHub

log = logging.getLogger(__name__)
IN_FLIGHT = list(service.IN_FLIGHT)
QUEUE_PAGE_SIZE = 1000
# Lidarr's history dates have whole seconds: look a little before a search began.
HISTORY_SLACK = timedelta(seconds=2)
# While an imported album is not listed yet, ask Navidrome to rescan this often
# (a scan started a moment before the files landed would miss them).
RESCAN_EVERY = timedelta(seconds=5)
Status = DownloadStatus
# In a failure's timeline data: Lidarr has the files, Navidrome never listed them.
NOT_LISTED = service.NOT_LISTED
COMPLETED_MESSAGES = {
    "album": "In your library: ready to play",
    # An artist request completes with its first album listed: Lidarr goes on
    # fetching the rest, and Tastemaker does not follow every album of it.
    "artist": "In your library — Lidarr keeps fetching the rest of the discography",
}
# Called once a request is ``completed``, in the tracker's session (e.g. to queue its
# songs for the user's discoveries playlist). It must not call out to services.
CompletionHook = Callable[[AsyncSession, DownloadRequest], Awaitable[None]]


def fold(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def parse_timeleft(value: str | None) -> int | None:
    """Lidarr's TimeSpan ``[d.]hh:mm:ss`` in seconds."""
    if not value:
        return None
    days = 0
    if "." in value.split(":")[0]:
        day_part, value = value.split(".", 1)
        days = int(day_part or 0)
    try:
        hours, minutes, seconds = (float(part) for part in value.split(":"))
    except ValueError:
        return None
    return int(days * 86400 + hours * 3600 + minutes * 60 + seconds)


def _matches(request: DownloadRequest, album_id: int | None, artist_id: int | None) -> bool:
    if request.kind == "album":
        return album_id is not None and album_id == request.lidarr_album_id
    return artist_id is not None and artist_id == request.lidarr_artist_id


async def _fail(
    session: AsyncSession,
    request: DownloadRequest,
    reason: str,
    data: dict[str, Any] | None = None,
) -> None:
    await service.move(
        session,
        request,
        Status.FAILED,
        reason,
        allowed_from=IN_FLIGHT,
        data=data,
        error=reason,
        time_left_seconds=None,
    )


def _imported(request: DownloadRequest) -> bool:
    """Lidarr imported it; only Navidrome listing it is left."""
    return request.status == Status.IMPORTING and request.progress >= 100


async def mark_imported(session: AsyncSession, request: DownloadRequest, source: str) -> bool:
    if _imported(request):
        return False
    return await service.move(
        session,
        request,
        Status.IMPORTING,
        f"Imported by Lidarr ({source}); waiting for Navidrome to list it",
        allowed_from=IN_FLIGHT,
        progress=100.0,
        size_left_bytes=0,
        time_left_seconds=None,
        imported_at=service.now(),
    )


async def _grabbed(
    session: AsyncSession, request: DownloadRequest, title: str | None, size: int | None
) -> None:
    if request.status not in (Status.SENT, Status.SEARCHING):
        return
    await service.move(
        session,
        request,
        Status.DOWNLOADING,
        f"Lidarr found a release: {title}" if title else "Lidarr found a release",
        allowed_from=[Status.SENT, Status.SEARCHING],
        release_title=title,
        size_bytes=size,
        progress=0.0,
    )


@dataclass
class Tracker:
    """Applies what Lidarr says to the open requests. One per worker."""

    hub: ServiceHub
    # Called when an album became visible in the library (e.g. to drop cached listings).
    on_library_changed: Callable[[], None] | None = None
    cursor: datetime | None = None
    seen: deque[int] = field(default_factory=lambda: deque(maxlen=5000))
    scan_wanted: bool = False
    last_scan: datetime | None = None
    on_completed: CompletionHook | None = None

    async def tracked(self, session: AsyncSession) -> list[DownloadRequest]:
        rows = await session.scalars(
            select(DownloadRequest)
            .where(
                DownloadRequest.status.in_(IN_FLIGHT),
                DownloadRequest.lidarr_artist_id.is_not(None),
            )
            .order_by(DownloadRequest.id)
        )
        return list(rows)

    async def poll(self, session: AsyncSession, settings: DownloadSettings) -> int:
        """One poll of Lidarr for every open request; returns the number of Lidarr calls."""
        requests = [r for r in await self.tracked(session) if r.status != Status.SENT]
        waiting = [r for r in requests if not _imported(r)]
        if not waiting:
            return 0
        lidarr = await self.hub.lidarr()
        if self.cursor is None:
            oldest = min((r.sent_at or r.created_at) for r in waiting)
            self.cursor = oldest - HISTORY_SLACK
        queue = await lidarr.queue(
            page_size=QUEUE_PAGE_SIZE, include_artist=False, include_album=False
        )
        history = await lidarr.history_since(self.cursor)
        fresh = sorted(
            (row for row in history if row.id not in self.seen), key=lambda r: (r.date, r.id)
        )
        for request in waiting:
            await self.apply(session, request, queue.records, fresh, settings)
        self.seen.extend(row.id for row in fresh)
        if history:
            self.cursor = max(row.date for row in history)
        await self._follow_imported(session, [r for r in waiting if not _imported(r)])
        return 2

    async def _follow_imported(
        self, session: AsyncSession, requests: Sequence[DownloadRequest]
    ) -> None:
        """Album requests whose Lidarr album another request saw imported since they were sent.

        A request that joined another user's download just as a poll read the import
        from the history misses that row (it is not read twice): it follows the other
        request instead, so it cannot wait forever for news that already came.
        """
        albums = {r.lidarr_album_id for r in requests if r.kind == "album" and r.lidarr_album_id}
        if not albums:
            return
        rows = await session.execute(
            select(
                DownloadRequest.lidarr_album_id,
                DownloadRequest.status,
                DownloadRequest.updated_at,
                DownloadRequest.completed_at,
            ).where(
                DownloadRequest.kind == "album",
                DownloadRequest.lidarr_album_id.in_(albums),
                DownloadRequest.status.in_([Status.IMPORTING, Status.COMPLETED]),
                DownloadRequest.progress >= 100,
            )
        )
        imported_at: dict[int, datetime] = {}
        for album_id, status, updated_at, completed_at in rows.all():
            moment: datetime = (
                completed_at or updated_at if status == Status.COMPLETED else updated_at
            )
            if album_id is not None:
                imported_at[album_id] = max(moment, imported_at.get(album_id, moment))
        for request in requests:
            at = imported_at.get(request.lidarr_album_id or 0)
            sent = request.sent_at or request.created_at
            followed = request.kind == "album" and at is not None and at >= sent
            if followed and await mark_imported(session, request, "with another request for it"):
                self.scan_wanted = True

    async def apply(
        self,
        session: AsyncSession,
        request: DownloadRequest,
        queue: Sequence[QueueItem],
        history: Iterable[HistoryRecord],
        settings: DownloadSettings,
    ) -> None:
        since = (request.sent_at or request.created_at) - HISTORY_SLACK
        for row in history:
            if row.date < since or not _matches(request, row.album_id, row.artist_id):
                continue
            if request.status not in service.IN_FLIGHT:
                return
            await self._history_row(session, request, row)
        if request.status not in service.IN_FLIGHT or _imported(request):
            # The queue was read before the history: once the history says imported,
            # a queue item still "importing" is older news and must not undo it.
            return
        items = [q for q in queue if _matches(request, q.album_id, q.artist_id)]
        if items:
            await self._queue_items(session, request, items)
        elif request.status == Status.SEARCHING:
            started = request.sent_at or request.created_at
            if service.now() - started > timedelta(seconds=settings.search_timeout_seconds):
                minutes = settings.search_timeout_minutes
                await _fail(
                    session,
                    request,
                    f"No release found: Lidarr searched for {minutes:g} minutes and found "
                    "nothing to download. Check Lidarr's indexers, or retry later.",
                )

    async def _history_row(
        self, session: AsyncSession, request: DownloadRequest, row: HistoryRecord
    ) -> None:
        data = row.data
        if row.event_type == "grabbed":
            size = data.get("size")
            await _grabbed(session, request, row.source_title, int(size) if size else None)
        elif row.event_type == "downloadFailed":
            reason = data.get("message") or "the download client gave no reason"
            await _fail(session, request, f"The download failed: {reason}")
        elif row.event_type == "albumImportIncomplete":
            reason = data.get("statusMessages") or "the files did not match the album"
            await _fail(session, request, f"Lidarr could not import the download: {reason}")
        elif row.event_type == "downloadImported" and await mark_imported(
            session, request, "history"
        ):
            self.scan_wanted = True

    async def _queue_items(
        self, session: AsyncSession, request: DownloadRequest, items: list[QueueItem]
    ) -> None:
        for item in items:
            state = item.tracked_download_state
            if state == "downloadFailed" or item.status == "failed":
                reason = item.error_message or _messages(item) or "the download client failed"
                await _fail(session, request, f"The download failed: {reason}")
                return
            if state in ("importFailed", "importBlocked"):
                reason = _messages(item) or item.error_message or "Lidarr could not match it"
                await _fail(session, request, f"Lidarr could not import the download: {reason}")
                return
        size = sum(int(i.size) for i in items)
        left = sum(int(i.sizeleft) for i in items)
        importing = all(i.tracked_download_state in ("importPending", "importing") for i in items)
        progress = 99.0 if importing else min(99.0, 100.0 * (1 - left / size) if size else 0.0)
        seconds = max((parse_timeleft(i.timeleft) or 0) for i in items)
        title = items[0].title if len(items) == 1 else f"{len(items)} releases"
        if request.status in (Status.SENT, Status.SEARCHING):
            await _grabbed(session, request, title, size)
        target = Status.IMPORTING if importing else Status.DOWNLOADING
        if request.status != target and request.status in (Status.DOWNLOADING, Status.IMPORTING):
            message = "Downloaded; Lidarr is importing it" if importing else "Downloading again"
            await service.move(session, request, target, message)
        # A compare-and-set, like ``service.move``: the webhook or another instance may
        # have marked it imported (or failed it) since it was read; that stays.
        await session.execute(
            update(DownloadRequest)
            .where(
                DownloadRequest.id == request.id,
                DownloadRequest.status.in_([Status.DOWNLOADING, Status.IMPORTING]),
                DownloadRequest.progress < 100,
            )
            .values(
                progress=round(progress, 1),
                size_bytes=size or request.size_bytes,
                size_left_bytes=left,
                time_left_seconds=None if importing else seconds,
                release_title=title or request.release_title,
                updated_at=service.now(),
            )
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        await session.refresh(request)

    # -- webhook -------------------------------------------------------------------------

    async def webhook(self, session: AsyncSession, payload: dict[str, Any]) -> bool:
        """Apply a Lidarr webhook; ``True`` when a poll should follow (no ids in it)."""
        kind = str(payload.get("eventType") or "")
        artist = payload.get("artist") if isinstance(payload.get("artist"), dict) else {}
        artist_id = artist.get("id") if artist else None
        if kind == "Grab":
            album_ids = [a.get("id") for a in payload.get("albums") or [] if isinstance(a, dict)]
            release = payload.get("release") or {}
            title = release.get("releaseTitle") if isinstance(release, dict) else None
            size = release.get("size") if isinstance(release, dict) else None
            for request in await self.tracked(session):
                if any(_matches(request, a, artist_id) for a in album_ids):
                    await _grabbed(session, request, title, int(size) if size else None)
            return False
        if kind == "Download":
            album = payload.get("album") if isinstance(payload.get("album"), dict) else {}
            album_id = album.get("id") if album else None
            for request in await self.tracked(session):
                if _matches(request, album_id, artist_id) and await mark_imported(
                    session, request, "webhook"
                ):
                    self.scan_wanted = True
            return False
        # DownloadFailure carries only a downloadId and ImportFailure nothing at all:
        # the reason is in the history, which the next poll reads.
        return kind in ("DownloadFailure", "ImportFailure")

    # -- Navidrome -----------------------------------------------------------------------

    async def check_library(self, session: AsyncSession, settings: DownloadSettings) -> None:
        """Complete imported requests once Navidrome lists them (scanning as needed).

        A request Navidrome still does not list ``settings.library_timeout_minutes``
        after the import fails, saying what to check: almost always Navidrome reads
        another folder than the one Lidarr imports into. Retrying it looks in the
        library again (``service.retry``), without a new search in Lidarr.
        """
        imported = [r for r in await self.tracked(session) if _imported(r)]
        if not imported:
            return
        try:
            navidrome = await self.hub.navidrome()
            moment = service.now()
            if self.scan_wanted or self.last_scan is None or moment - self.last_scan > RESCAN_EVERY:
                await navidrome.start_scan()
                self.scan_wanted, self.last_scan = False, moment
            for request in imported:
                found = await _find_in_library(navidrome, request)
                if found is None:
                    await self._give_up_unless_listed_soon(session, request, settings)
                    continue
                album_id, artist_id = found
                completed = await service.move(
                    session,
                    request,
                    Status.COMPLETED,
                    COMPLETED_MESSAGES.get(request.kind, COMPLETED_MESSAGES["album"]),
                    data={"library_album_id": album_id, "library_artist_id": artist_id},
                    progress=100.0,
                    error=None,
                )
                if self.on_library_changed is not None:
                    self.on_library_changed()
                if completed and self.on_completed is not None:
                    await self.on_completed(session, request)
        except ServiceError as error:
            log.warning("library check skipped: %s", error.detail)

    async def _give_up_unless_listed_soon(
        self, session: AsyncSession, request: DownloadRequest, settings: DownloadSettings
    ) -> None:
        imported_at = request.imported_at or request.updated_at
        if service.now() - imported_at <= timedelta(seconds=settings.library_timeout_seconds):
            return
        minutes = settings.library_timeout_minutes
        await _fail(
            session,
            request,
            f"Lidarr imported it, but Navidrome does not list it after {minutes:g} minutes — "
            "check that Navidrome's music folder is Lidarr's root folder, then retry",
            data={NOT_LISTED: True},
        )


def _messages(item: QueueItem) -> str:
    return "; ".join(m for s in item.status_messages for m in s.messages)


async def _find_in_library(
    navidrome: NavidromeClient, request: DownloadRequest
) -> tuple[str | None, str | None] | None:
    if request.kind == "album":
        result = await navidrome.search(
            request.album_title or "", artist_count=0, album_count=50, song_count=0
        )
        for album in result.album:
            same_id = album.music_brainz_id == request.album_mbid
            same_name = fold(album.name) == fold(request.album_title) and fold(
                album.artist
            ) == fold(request.artist_name)
            if same_id or same_name:
                return str(album.id), str(album.artist_id) if album.artist_id else None
        return None
    result = await navidrome.search(
        request.artist_name, artist_count=20, album_count=0, song_count=0
    )
    for artist in result.artist:
        if artist.music_brainz_id == request.artist_mbid or (
            fold(artist.name) == fold(request.artist_name) and (artist.album_count or 0) > 0
        ):
            return None, str(artist.id)
    return None
