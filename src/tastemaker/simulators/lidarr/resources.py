"""Render the simulator's state as Lidarr API v1 JSON resources.

Shapes follow ``specs/lidarr-openapi.json`` (most schemas forbid extra properties,
so nothing is added beyond them) and the wire facts in ``specs/lidarr-notes.md``:
camelCase, nulls omitted, enum values as camelCase strings, dates ending in ``Z``.
Images are left empty on purpose: Lidarr's point to the internet, and the demo
must not fetch anything from it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tastemaker.simulators import catalogue

if TYPE_CHECKING:
    from .state import CommandRow, Download, HistoryRow, LibAlbum, LibArtist

JSON = dict[str, Any]
BYTES_PER_SECOND = 110_000  # about FLAC at CD quality
QUALITY: JSON = {
    "quality": {"id": 6, "name": "FLAC"},
    "revision": {"version": 1, "real": 0, "isRepack": False},
}
# MusicBrainz calls Live and Compilation secondary types of a primary "Album".
_SECONDARY = {"Live", "Compilation"}


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def timespan(seconds: float) -> str:
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def clean_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def album_size(album: catalogue.Album) -> int:
    return album.duration * BYTES_PER_SECOND


def _ratings() -> JSON:
    return {"votes": 0, "value": 0.0}


def artist_resource(
    artist: catalogue.Artist, lib: LibArtist | None = None, albums: list[LibAlbum] | None = None
) -> JSON:
    """A lookup result (``lib`` None, ``id`` 0) or a library artist with statistics."""
    resource: JSON = {
        "id": lib.id if lib else 0,
        "status": "continuing",
        "ended": False,
        "artistName": artist.name,
        "foreignArtistId": artist.mbid,
        "tadbId": 0,
        "discogsId": 0,
        "overview": artist.overview,
        "artistType": "Group" if artist.name.startswith("The ") else "Person",
        "disambiguation": "",
        "links": [],
        "images": [],
        "genres": list(artist.genres),
        "cleanName": clean_name(artist.name),
        "sortName": artist.sort_name.lower(),
        "tags": [],
        "ratings": _ratings(),
        "qualityProfileId": 0,
        "metadataProfileId": 0,
        "monitored": False,
        "monitorNewItems": "all",
        "added": "0001-01-01T00:00:00Z",
        "folder": artist.name,
    }
    if lib is None:
        return resource
    owned = albums or []
    resource.update(
        {
            "path": lib.path,
            "rootFolderPath": lib.root_folder_path,
            "qualityProfileId": lib.quality_profile_id,
            "metadataProfileId": lib.metadata_profile_id,
            "monitored": lib.monitored,
            "monitorNewItems": lib.monitor_new_items,
            "tags": sorted(lib.tags),
            "added": iso(lib.added),
            "folder": lib.path.rsplit("/", 1)[-1],
            "statistics": _artist_statistics(owned),
        }
    )
    return resource


def _artist_statistics(albums: list[LibAlbum]) -> JSON:
    files = sum(album.track_files for album in albums)
    tracks = sum(len(album.source.tracks) for album in albums if album.monitored)
    total = sum(len(album.source.tracks) for album in albums)
    return {
        "albumCount": len(albums),
        "trackFileCount": files,
        "trackCount": tracks,
        "totalTrackCount": total,
        "sizeOnDisk": sum(album.size_on_disk for album in albums),
        "percentOfTracks": round(100.0 * files / tracks, 1) if tracks else 0.0,
    }


def _album_statistics(lib: LibAlbum) -> JSON:
    tracks = len(lib.source.tracks)
    return {
        "trackFileCount": lib.track_files,
        "trackCount": tracks,
        "totalTrackCount": tracks,
        "sizeOnDisk": lib.size_on_disk,
        "percentOfTracks": round(100.0 * lib.track_files / tracks, 1) if tracks else 0.0,
    }


def album_resource(
    album: catalogue.Album,
    lib: LibAlbum | None = None,
    *,
    artist: JSON | None = None,
) -> JSON:
    """A lookup album (``lib`` None) or a library album; ``artist`` embeds the artist."""
    medium = {"mediumNumber": 1, "mediumName": "", "mediumFormat": "Digital Media"}
    duration_ms = album.duration * 1000
    primary = "Album" if album.album_type in _SECONDARY else album.album_type
    secondary = [album.album_type] if album.album_type in _SECONDARY else []
    resource: JSON = {
        "id": lib.id if lib else 0,
        "title": album.title,
        "disambiguation": "",
        "overview": f"{album.album_type} by {album.artist_name}, released {album.year}.",
        "artistId": lib.artist_id if lib else 0,
        "foreignAlbumId": album.mbid,
        "monitored": lib.monitored if lib else False,
        "anyReleaseOk": True,
        "profileId": 0,
        "duration": duration_ms,
        "albumType": primary,
        "secondaryTypes": secondary,
        "mediumCount": 1,
        "ratings": _ratings(),
        "releaseDate": f"{album.year}-01-01T00:00:00Z",
        "releases": [
            {
                "id": lib.id if lib else 0,
                "albumId": lib.id if lib else 0,
                "foreignReleaseId": album.release_mbid,
                "title": album.title,
                "status": "Official",
                "duration": duration_ms,
                "trackCount": len(album.tracks),
                "media": [medium],
                "mediumCount": 1,
                "disambiguation": "",
                "country": ["[Worldwide]"],
                "label": [],
                "format": "Digital Media",
                "monitored": True,  # the largest release comes pre-monitored
            }
        ],
        "genres": [album.genre],
        "media": [medium],
        "images": [],
        "links": [],
    }
    if lib is not None:
        resource["statistics"] = _album_statistics(lib)
        if lib.last_search is not None:
            resource["lastSearchTime"] = iso(lib.last_search)
    if artist is not None:
        resource["artist"] = artist
    return resource


def queue_resource(
    download: Download, now: float, *, artist: JSON | None, album: JSON | None
) -> JSON:
    """One queue row; progress is read off the wall clock, not stored."""
    sizeleft = download.sizeleft(now)
    resource: JSON = {
        "id": download.id,
        "artistId": download.artist_id,
        "albumId": download.album_id,
        "quality": QUALITY,
        "customFormats": [],
        "customFormatScore": 0,
        "size": float(download.size),
        "title": download.title,
        "sizeleft": float(sizeleft),
        "timeleft": timespan(download.seconds_left(now)),
        "estimatedCompletionTime": iso(download.eta()),
        "added": iso(download.added),
        "status": download.client_status(now),
        "trackedDownloadStatus": download.tracked_status,
        "trackedDownloadState": download.tracked_state(now),
        "statusMessages": download.status_messages,
        "downloadId": download.download_id,
        "protocol": "torrent",
        "downloadClient": "qBittorrent",
        "downloadClientHasPostImportCategory": False,
        "indexer": "Simulated Indexer",
        "outputPath": f"/downloads/{download.title}",
        "trackFileCount": 0,
        "trackHasFileCount": 0,
        "downloadForced": False,
    }
    if download.error_message:
        resource["errorMessage"] = download.error_message
    if artist is not None:
        resource["artist"] = artist
    if album is not None:
        resource["album"] = album
    return resource


def history_resource(row: HistoryRow, *, artist: JSON | None, album: JSON | None) -> JSON:
    resource: JSON = {
        "id": row.id,
        "albumId": row.album_id,
        "artistId": row.artist_id,
        "trackId": row.track_id,
        "sourceTitle": row.source_title,
        "quality": QUALITY,
        "customFormats": [],
        "customFormatScore": 0,
        "qualityCutoffNotMet": False,
        "date": iso(row.date),
        "downloadId": row.download_id,
        "eventType": row.event_type,
        "data": dict(row.data),
    }
    if artist is not None:
        resource["artist"] = artist
    if album is not None:
        resource["album"] = album
    return resource


def command_resource(command: CommandRow) -> JSON:
    # ``body`` keeps to the fields the spec's Command schema names (it forbids
    # others); real Lidarr also echoes albumIds/artistId there.
    resource: JSON = {
        "id": command.id,
        "name": command.name,
        "commandName": _spaced(command.name),
        "body": {
            "sendUpdatesToClient": True,
            "updateScheduledTask": True,
            "requiresDiskAccess": False,
            "isExclusive": False,
            "isTypeExclusive": False,
            "isLongRunning": False,
            "name": command.name,
            "trigger": "manual",
            "suppressMessages": False,
        },
        "priority": "normal",
        "status": command.status,
        "result": command.result,
        "queued": iso(command.queued),
        "trigger": "manual",
        "stateChangeTime": iso(command.ended or command.started or command.queued),
        "sendUpdatesToClient": True,
        "updateScheduledTask": True,
    }
    if command.message:
        resource["message"] = command.message
    if command.started:
        resource["started"] = iso(command.started)
    if command.ended:
        resource["ended"] = iso(command.ended)
        resource["duration"] = timespan(
            (command.ended - (command.started or command.queued)).total_seconds()
        )
    return resource


def _spaced(name: str) -> str:
    return "".join(f" {c}" if c.isupper() and i else c for i, c in enumerate(name))
