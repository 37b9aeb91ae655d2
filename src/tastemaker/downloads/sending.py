"""Handing one request to Lidarr, step by step, each step safe to repeat.

Album: make sure the artist is in Lidarr (added unmonitored when new, never twice),
wait until Lidarr has loaded that artist's albums, monitor only the album asked
for, then start an AlbumSearch. Artist: add it with the admin's defaults (or reuse
it) and search its monitored albums. A step that fails because Lidarr is away is
retried later with back-off; a refusal by Lidarr fails the request in its words.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.downloads import service
from tastemaker.downloads.models import DownloadRequest, DownloadStatus
from tastemaker.errors import ServiceNotConfigured, ServiceRejected
from tastemaker.integrations.lidarr import LidarrClient
from tastemaker.integrations.lidarr.models import MonitorType
from tastemaker.services.hub import ServiceHub

# How long Lidarr may take to list a newly added artist's albums.
ALBUM_LIST_WAIT = timedelta(minutes=5)
ALBUM_LIST_RETRY = timedelta(seconds=1)
MONITOR_CHOICES: tuple[MonitorType, ...] = (
    "all",
    "future",
    "missing",
    "existing",
    "latest",
    "first",
    "none",
)


class NotReady(Exception):
    """Lidarr is still working (e.g. loading albums): try again shortly, not an error."""


class Refused(Exception):
    """Lidarr cannot do this at all: the request fails with this message."""


async def _defaults(hub: ServiceHub) -> tuple[str, int, int, MonitorType]:
    values = await hub.values("lidarr")
    root = values.get("root_folder") or ""
    quality = values.get("quality_profile_id") or ""
    metadata = values.get("metadata_profile_id") or ""
    if not root or not quality.isdigit() or not metadata.isdigit():
        # Kept queued, not failed: it goes through once an admin picks them.
        raise ServiceNotConfigured(
            "lidarr",
            "Lidarr's root folder and profiles are not chosen yet — an administrator "
            "must pick them in Settings → Services",
        )
    monitor = values.get("monitor") or "all"
    chosen: MonitorType = next((m for m in MONITOR_CHOICES if m == monitor), "all")
    return root, int(quality), int(metadata), chosen


async def _ensure_artist(
    session: AsyncSession,
    hub: ServiceHub,
    lidarr: LidarrClient,
    request: DownloadRequest,
) -> tuple[int, bool]:
    """The artist's Lidarr id, adding the artist if needed; ``(id, added_now)``."""
    if request.lidarr_artist_id:
        return request.lidarr_artist_id, False
    found = await lidarr.artists(mbid=request.artist_mbid)
    if found:
        return found[0].id, False
    root, quality, metadata, monitor = await _defaults(hub)
    looked_up = await lidarr.lookup_artist_by_mbid(request.artist_mbid)
    if looked_up is None:
        raise Refused(
            f"Lidarr's metadata server knows no artist with MusicBrainz id {request.artist_mbid}"
        )
    name = looked_up.artist_name or request.artist_name
    if request.artist_name != name:
        request.artist_name = name
    album_only = request.kind == "album"
    try:
        artist = await lidarr.add_artist(
            foreign_artist_id=request.artist_mbid,
            artist_name=name,
            quality_profile_id=quality,
            metadata_profile_id=metadata,
            root_folder_path=root,
            # An album request must not start the whole discography.
            monitor="none" if album_only else monitor,
            monitored=not album_only,
            monitor_new_items="none" if album_only else "all",
            search_for_missing_albums=not album_only,
        )
    except ServiceRejected as error:
        again = await lidarr.artists(mbid=request.artist_mbid)
        if again:  # added meanwhile by another request: use it
            return again[0].id, False
        raise Refused(error.extra.get("lidarr_message") or error.detail) from error
    return artist.id, True


async def send(session: AsyncSession, hub: ServiceHub, request: DownloadRequest) -> None:
    """One pass of handing ``request`` to Lidarr. Raises NotReady, Refused or a ServiceError."""
    lidarr = await hub.lidarr()
    if (request.kind == "album" and request.album_title is None) or (
        request.artist_name == service.UNKNOWN_ARTIST
    ):
        await _name(lidarr, request)
    artist_id, added = await _ensure_artist(session, hub, lidarr, request)
    if request.lidarr_artist_id != artist_id:
        message = (
            f"{request.artist_name} added to Lidarr"
            if added
            else f"{request.artist_name} is already in Lidarr"
        )
        await service.note(
            session, request, message, lidarr_artist_id=artist_id, sent_at=service.now()
        )
    if request.kind == "artist":
        if not added:
            await lidarr.artist_search(artist_id)
        await service.move(
            session,
            request,
            DownloadStatus.SEARCHING,
            "Lidarr is searching for the artist's albums",
            allowed_from=[DownloadStatus.QUEUED],
            sent_at=service.now(),
            error=None,
        )
        return
    albums = await lidarr.albums(artist_id=artist_id)
    album = next((a for a in albums if a.foreign_album_id == request.album_mbid), None)
    if album is None:
        waited = service.now() - (request.sent_at or service.now())
        if waited > ALBUM_LIST_WAIT:
            raise Refused(
                f"Lidarr does not list “{request.album_title}” for {request.artist_name}; "
                "its metadata profile may leave out this kind of release"
            )
        raise NotReady("Lidarr is still loading the artist's albums")
    await lidarr.set_albums_monitored([album.id], True)
    await service.move(
        session,
        request,
        DownloadStatus.SENT,
        "Sent to Lidarr: only this album is monitored",
        allowed_from=[DownloadStatus.QUEUED],
        lidarr_album_id=album.id,
        error=None,
    )
    command = await lidarr.album_search([album.id])
    await service.move(
        session,
        request,
        DownloadStatus.SEARCHING,
        "Lidarr is searching for a release",
        data={"command_id": command.id},
        sent_at=service.now(),
    )


async def _name(lidarr: LidarrClient, request: DownloadRequest) -> None:
    """Fill in names for a request taken while Lidarr was unreachable."""
    if request.album_mbid:
        album = await lidarr.lookup_album_by_mbid(request.album_mbid)
        if album is None:
            raise Refused(
                f"Lidarr's metadata server knows no album with MusicBrainz id {request.album_mbid}"
            )
        request.album_title = album.title
        if album.artist and album.artist.artist_name:
            request.artist_name = album.artist.artist_name
        return
    artist = await lidarr.lookup_artist_by_mbid(request.artist_mbid)
    if artist is None:
        raise Refused(
            f"Lidarr's metadata server knows no artist with MusicBrainz id {request.artist_mbid}"
        )
    request.artist_name = artist.artist_name or request.artist_name


def retry_delay(attempts: int, base: float, cap: float) -> timedelta:
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


__all__ = ["ALBUM_LIST_RETRY", "NotReady", "Refused", "retry_delay", "send"]
