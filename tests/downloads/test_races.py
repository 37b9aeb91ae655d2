"""Races between what Lidarr says and when Tastemaker reads it, made deterministic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from tastemaker.downloads.config import DownloadSettings
from tastemaker.downloads.models import DownloadRequest, DownloadStatus
from tastemaker.downloads.tracking import Tracker
from tastemaker.integrations.lidarr.models import HistoryRecord, QueueItem
from tests.conftest import make_user
from tests.downloads.conftest import PersonFactory

ALBUM_MBID = "00000000-0000-4000-8000-00000000a1b2"
LIDARR_ALBUM_ID = 90_001  # no album of the simulator has such an id


def _request(user_id: int, status: DownloadStatus, **fields: object) -> DownloadRequest:
    return DownloadRequest(
        user_id=user_id,
        kind="album",
        target_key=ALBUM_MBID,
        artist_name="Someone",
        artist_mbid="00000000-0000-4000-8000-000000000000",
        album_title="Something",
        album_mbid=ALBUM_MBID,
        lidarr_artist_id=90_000,
        lidarr_album_id=LIDARR_ALBUM_ID,
        sent_at=datetime.now(UTC) - timedelta(seconds=30),
        status=status,
        **fields,
    )


async def test_an_import_in_the_history_is_not_undone_by_an_older_queue_read(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The queue is read first and the history second: an import that lands between
    the two shows as "importing" in the queue and as imported in the history."""
    user = await make_user(app, "bob")
    tracker = Tracker(app.state.services)
    still_importing = QueueItem(
        id=1,
        artist_id=90_000,
        album_id=LIDARR_ALBUM_ID,
        title="Someone - Something",
        size=1000.0,
        sizeleft=0.0,
        tracked_download_state="importing",
    )
    imported = HistoryRecord(
        id=1,
        album_id=LIDARR_ALBUM_ID,
        artist_id=90_000,
        date=datetime.now(UTC),
        event_type="downloadImported",
    )
    async with app.state.db.sessionmaker() as session:
        request = _request(user.id, DownloadStatus.DOWNLOADING, progress=50.0)
        session.add(request)
        await session.commit()

        await tracker.apply(session, request, [still_importing], [imported], DownloadSettings())

    async with app.state.db.sessionmaker() as session:
        stored = await session.get(DownloadRequest, request.id)
        assert stored is not None
        assert (stored.status, stored.progress) == (DownloadStatus.IMPORTING, 100.0)
    assert tracker.scan_wanted  # Navidrome is asked to look for it


async def test_a_request_that_joined_a_download_finishes_with_it(
    person: PersonFactory, downloads_stack: FastAPI
) -> None:
    """It joined just as a poll read the import from the history: that row is never
    read again, so the request follows the one it joined."""
    bob = await person("bob")
    worker = downloads_stack.state.downloads
    await worker.aclose()  # polls only when the test says so
    user_id = (await bob.get("/api/auth/me")).json()["user"]["id"]
    async with downloads_stack.state.db.sessionmaker() as session:
        carol = await make_user(downloads_stack, "carol")
        first = _request(user_id, DownloadStatus.IMPORTING, progress=100.0)
        joined = _request(carol.id, DownloadStatus.DOWNLOADING, progress=40.0)
        joined.sent_at = first.sent_at
        session.add_all([first, joined])
        await session.commit()

    assert await worker.poll() == 2

    async with downloads_stack.state.db.sessionmaker() as session:
        stored = await session.get(DownloadRequest, joined.id)
        assert stored is not None
        assert (stored.status, stored.progress) == (DownloadStatus.IMPORTING, 100.0)
