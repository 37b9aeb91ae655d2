"""Lidarr's Webhook connection: the payloads it sends and a sender that delivers them.

Payload shapes follow ``NzbDrone.Core/Notifications/Webhook/WebhookBase.cs`` (and the
``Webhook*`` classes next to it) as summarised in ``specs/lidarr-notes.md``: camelCase
keys, nulls omitted, ``eventType`` in PascalCase, dates ending in ``Z``. Delivery is
like ``WebhookProxy.cs``: JSON with the chosen method, optional Basic auth and custom
headers, one attempt, no retry. Events go out in the order they happened.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import httpx

from tastemaker.simulators import catalogue

from .resources import JSON, QUALITY, iso

if TYPE_CHECKING:
    from .state import Download, LibArtist, SimState

log = logging.getLogger(__name__)
DOWNLOAD_CLIENT = "qBittorrent"
RELEASE_GROUP = "SIMFLAC"


def _base(state: SimState, event: str) -> JSON:
    return {
        "eventType": event,
        "instanceName": state.config.instance_name,
        "applicationUrl": state.config.application_url,
    }


def _artist(artist: LibArtist) -> JSON:
    source = artist.source
    return {
        "id": artist.id,
        "name": source.name,
        "disambiguation": "",
        "path": artist.path,
        "mbId": source.mbid,
        "type": "Group" if source.name.startswith("The ") else "Person",
        "overview": source.overview,
        "genres": list(source.genres),
        "images": [],
        "tags": [],
    }


def _album(album_id: int, album: catalogue.Album) -> JSON:
    secondary = [album.album_type] if album.album_type in ("Live", "Compilation") else []
    return {
        "id": album_id,
        "mbId": album.mbid,
        "title": album.title,
        "disambiguation": "",
        "overview": f"{album.album_type} by {album.artist_name}, released {album.year}.",
        "albumType": "Album" if secondary else album.album_type,
        "secondaryAlbumTypes": secondary,
        "releaseDate": f"{album.year}-01-01T00:00:00Z",
        "genres": [album.genre],
        "images": [],
    }


def track_path(artist: LibArtist, album: catalogue.Album, track: catalogue.Track) -> str:
    return f"{artist.path}/{album.title} ({album.year})/{track.number:02d} - {track.title}.flac"


def grab_data(download: Download) -> dict[str, str]:
    """History ``data`` of a grabbed row (EntityHistoryService: all values are strings)."""
    return {
        "indexer": "Simulated Indexer",
        "releaseGroup": RELEASE_GROUP,
        "downloadClient": DOWNLOAD_CLIENT,
        "downloadClientName": DOWNLOAD_CLIENT,
        "size": str(download.size),
        "guid": f"sim-{download.download_id.lower()}",
        "protocol": "2",  # torrent
    }


def failure_data(download: Download, message: str) -> dict[str, str]:
    return {"message": message, "downloadClient": DOWNLOAD_CLIENT, "indexer": "Simulated Indexer"}


def grab(state: SimState, download: Download) -> JSON:
    return {
        **_base(state, "Grab"),
        "artist": _artist(state.artists[download.artist_id]),
        "albums": [_album(download.album_id, download.album)],
        "release": {
            "quality": QUALITY["quality"]["name"],
            "qualityVersion": 1,
            "releaseGroup": RELEASE_GROUP,
            "releaseTitle": download.title,
            "indexer": "Simulated Indexer",
            "size": download.size,
            "customFormatScore": 0,
            "customFormats": [],
        },
        "downloadClient": DOWNLOAD_CLIENT,
        "downloadClientType": DOWNLOAD_CLIENT,
        "downloadId": download.download_id,
    }


def imported(state: SimState, download: Download) -> JSON:
    artist = state.artists[download.artist_id]
    per_track = download.size // max(1, len(download.album.tracks))
    tracks, files = [], []
    for track in download.album.tracks:
        track_id = state.next_id("track")
        tracks.append(
            {
                "id": track_id,
                "title": track.title,
                "trackNumber": str(track.number),
                "qualityVersion": 0,
            }
        )
        files.append(
            {
                "id": state.next_id("trackfile"),
                "path": track_path(artist, download.album, track),
                "quality": "FLAC",
                "qualityVersion": 1,
                "releaseGroup": RELEASE_GROUP,
                "sceneName": download.title,
                "size": per_track,
                "dateAdded": iso(download.eta()),
            }
        )
    return {
        **_base(state, "Download"),
        "artist": _artist(artist),
        "album": _album(download.album_id, download.album),
        "tracks": tracks,
        "trackFiles": files,
        "isUpgrade": False,
        "downloadClient": DOWNLOAD_CLIENT,
        "downloadClientType": DOWNLOAD_CLIENT,
        "downloadId": download.download_id,
    }


def download_failure(state: SimState, download: Download) -> JSON:
    # No artist and no album: Lidarr's DownloadFailure payload has neither.
    return {
        **_base(state, "DownloadFailure"),
        "quality": "FLAC",
        "qualityVersion": 1,
        "releaseTitle": download.title,
        "downloadClient": DOWNLOAD_CLIENT,
        "downloadId": download.download_id,
    }


def import_failure(state: SimState) -> JSON:
    # Lidarr's ImportFailure builder is handed only a message: no artist, album or id.
    return {**_base(state, "ImportFailure"), "tracks": [], "trackFiles": [], "isUpgrade": False}


def artist_add(state: SimState, artist: LibArtist) -> JSON:
    return {**_base(state, "ArtistAdd"), "artist": _artist(artist)}


def test_payload(state: SimState) -> JSON:
    return {
        **_base(state, "Test"),
        "artist": {
            "id": 1,
            "name": "Test Name",
            "path": "C:\\testpath",
            "mbId": "aaaaa-aaa-aaaa-aaaaaa",
            "tags": ["test-tag"],
        },
        "albums": [{"id": 123, "title": "Test title"}],
    }


def _setting(resource: JSON, name: str) -> Any:
    return next(
        (f.get("value") for f in resource.get("fields") or [] if f.get("name") == name), None
    )


class WebhookSender:
    """Delivers events, in order, to every Webhook connection that asked for them."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        self._queue: asyncio.Queue[tuple[JSON, JSON]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._worker = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)

    def publish(self, notifications: list[JSON], flag: str, payload: JSON) -> None:
        for resource in notifications:
            if resource.get("implementation") == "Webhook" and resource.get(flag):
                self._queue.put_nowait((resource, payload))

    async def send(self, resource: JSON, payload: JSON) -> None:
        """One delivery; raises ``httpx.HTTPError`` when the receiver fails."""
        method = "PUT" if _setting(resource, "method") == 2 else "POST"
        user, password = _setting(resource, "username"), _setting(resource, "password")
        headers = {
            h["key"]: h["value"] for h in _setting(resource, "headers") or [] if h.get("key")
        }
        response = await self._http.request(
            method,
            str(_setting(resource, "url")),
            json=payload,
            headers=headers,
            auth=(user, password or "") if user else None,
            timeout=10.0,
        )
        response.raise_for_status()

    async def _run(self) -> None:
        while True:
            resource, payload = await self._queue.get()
            try:
                await self.send(resource, payload)
            except httpx.HTTPError as exc:  # Lidarr logs the failure and moves on
                log.warning(
                    "webhook %s to %s failed: %s", payload["eventType"], resource["name"], exc
                )
