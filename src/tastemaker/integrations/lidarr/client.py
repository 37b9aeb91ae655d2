"""A small typed async client for Lidarr's REST API v1.

It speaks over an injected ``httpx.AsyncClient`` (the app shares one pool), sends
the key in ``X-Api-Key``, applies its own explicit timeout to every call, parses
every answer into the models of ``models.py`` and turns every failure into one of
the app's service errors (see ``errors.py``). Endpoints and bodies follow
``specs/lidarr-openapi.json`` and ``specs/lidarr-notes.md``; a contract test checks
each request and answer against the spec.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from .errors import garbage_error, status_error, transport_error
from .models import (
    Album,
    Artist,
    Command,
    HistoryEventType,
    HistoryRecord,
    MetadataProfile,
    MonitorType,
    NewItemMonitorType,
    Notification,
    QualityProfile,
    QueuePage,
    RootFolder,
    SystemStatus,
)

T = TypeVar("T")
Params = Mapping[str, str | int | bool | Sequence[int]]

DEFAULT_TIMEOUT = 10.0
# Lidarr looks names up through its metadata server, which can be slow; the
# connect phase should still fail fast when Lidarr itself is down.
_CONNECT_TIMEOUT = 5.0

_adapters: dict[Any, TypeAdapter[Any]] = {}


def _adapter(kind: Any) -> TypeAdapter[Any]:
    if kind not in _adapters:
        _adapters[kind] = TypeAdapter(kind)
    return _adapters[kind]


def _lidarr_time(moment: datetime) -> str:
    """Lidarr's DateTime format, always UTC (a naive datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class LidarrClient:
    """Lidarr API v1 client.

    >>> async with httpx.AsyncClient() as http:
    ...     lidarr = LidarrClient("http://lidarr:8686", api_key, http=http)
    ...     status = await lidarr.system_status()

    Without ``http`` the client makes its own pool and closes it in ``aclose()`` or
    at the end of ``async with``; an injected pool is left open for its owner.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._owns_http = http is None
        self._http = http if http is not None else httpx.AsyncClient()
        self.timeout = timeout
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, _CONNECT_TIMEOUT))

    def __repr__(self) -> str:  # never show the key
        return f"LidarrClient({self.base_url!r})"

    async def __aenter__(self) -> LidarrClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # -- transport ---------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Params | None = None,
        body: Any = None,
    ) -> Any:
        """One API call; returns the decoded JSON (``None`` for an empty answer)."""
        try:
            response = await self._http.request(
                method,
                f"{self.base_url}/api/v1{path}",
                params=params,
                json=body,
                headers={"X-Api-Key": self._api_key, "Accept": "application/json"},
                timeout=self._timeout,
            )
        except httpx.TransportError as exc:
            raise transport_error(exc, self.base_url, self.timeout) from exc
        if response.status_code >= 400:
            raise status_error(response, what)
        if not response.content.strip():
            return None
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise garbage_error(what, "something that is not JSON") from exc

    def _parse(self, kind: type[T] | Any, data: Any, what: str) -> T:
        try:
            parsed: T = _adapter(kind).validate_python(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the top level"
            problem = f"data of the wrong shape ({where}: {first['msg']})"
            raise garbage_error(what, problem) from exc
        return parsed

    async def _get(
        self, kind: type[T] | Any, path: str, what: str, params: Params | None = None
    ) -> T:
        parsed: T = self._parse(kind, await self._call("GET", path, what, params=params), what)
        return parsed

    # -- system and setup lists ----------------------------------------------------

    async def system_status(self) -> SystemStatus:
        return await self._get(SystemStatus, "/system/status", "the system status request")

    async def root_folders(self) -> list[RootFolder]:
        return await self._get(list[RootFolder], "/rootfolder", "the root folder list")

    async def quality_profiles(self) -> list[QualityProfile]:
        return await self._get(list[QualityProfile], "/qualityprofile", "the quality profile list")

    async def metadata_profiles(self) -> list[MetadataProfile]:
        return await self._get(
            list[MetadataProfile], "/metadataprofile", "the metadata profile list"
        )

    # -- lookup (Lidarr asks its metadata server) ---------------------------------

    async def lookup_artists(self, term: str) -> list[Artist]:
        """Artists matching a name, or ``lidarr:<mbid>`` for one MusicBrainz id."""
        return await self._get(
            list[Artist], "/artist/lookup", f"the artist lookup for {term!r}", {"term": term}
        )

    async def lookup_artist_by_mbid(self, mbid: str) -> Artist | None:
        found = await self.lookup_artists(f"lidarr:{mbid}")
        return next((artist for artist in found if artist.foreign_artist_id == mbid), None)

    async def lookup_albums(self, term: str) -> list[Album]:
        """Albums matching a title, or ``lidarr:<release-group mbid>``."""
        return await self._get(
            list[Album], "/album/lookup", f"the album lookup for {term!r}", {"term": term}
        )

    async def lookup_album_by_mbid(self, mbid: str) -> Album | None:
        found = await self.lookup_albums(f"lidarr:{mbid}")
        return next((album for album in found if album.foreign_album_id == mbid), None)

    # -- library: artists and albums -----------------------------------------------

    async def artists(self, *, mbid: str | None = None) -> list[Artist]:
        params = {"mbId": mbid} if mbid else None
        return await self._get(list[Artist], "/artist", "the artist list", params)

    async def artist(self, artist_id: int) -> Artist:
        return await self._get(Artist, f"/artist/{artist_id}", f"artist {artist_id}")

    async def add_artist(
        self,
        *,
        foreign_artist_id: str,
        artist_name: str,
        quality_profile_id: int,
        metadata_profile_id: int,
        root_folder_path: str,
        monitor: MonitorType = "none",
        albums_to_monitor: Sequence[str] = (),
        search_for_missing_albums: bool = False,
        monitored: bool = True,
        monitor_new_items: NewItemMonitorType = "none",
        tags: Sequence[int] = (),
    ) -> Artist:
        """Add an artist. ``monitor="none"`` with ``albums_to_monitor`` adds one album only."""
        body = {
            "foreignArtistId": foreign_artist_id,
            "artistName": artist_name,
            "qualityProfileId": quality_profile_id,
            "metadataProfileId": metadata_profile_id,
            "rootFolderPath": root_folder_path,
            "monitored": monitored,
            "monitorNewItems": monitor_new_items,
            "tags": list(tags),
            "addOptions": {
                "monitor": monitor,
                "albumsToMonitor": list(albums_to_monitor),
                "searchForMissingAlbums": search_for_missing_albums,
            },
        }
        what = f"adding the artist {artist_name!r}"
        return self._parse(Artist, await self._call("POST", "/artist", what, body=body), what)

    async def albums(
        self,
        *,
        artist_id: int | None = None,
        album_ids: Sequence[int] = (),
        foreign_album_id: str | None = None,
    ) -> list[Album]:
        """Library albums: of one artist, by ids, or by release-group MBID."""
        params: dict[str, int | str | Sequence[int]] = {}
        if artist_id is not None:
            params["artistId"] = artist_id
        if album_ids:
            params["albumIds"] = list(album_ids)
        if foreign_album_id:
            params["foreignAlbumId"] = foreign_album_id
        return await self._get(list[Album], "/album", "the album list", params)

    async def set_albums_monitored(self, album_ids: Sequence[int], monitored: bool) -> list[Album]:
        """Monitor or unmonitor albums; Lidarr answers 202 with the changed albums."""
        body = {"albumIds": list(album_ids), "monitored": monitored}
        what = "the album monitoring change"
        data = await self._call("PUT", "/album/monitor", what, body=body)
        return self._parse(list[Album], data or [], what)

    # -- commands --------------------------------------------------------------------

    async def _command(self, name: str, what: str, **fields: Any) -> Command:
        data = await self._call("POST", "/command", what, body={"name": name, **fields})
        return self._parse(Command, data, what)

    async def album_search(self, album_ids: Sequence[int]) -> Command:
        """Search and grab releases for these albums (works whether monitored or not)."""
        return await self._command("AlbumSearch", "the album search", albumIds=list(album_ids))

    async def artist_search(self, artist_id: int) -> Command:
        return await self._command("ArtistSearch", "the artist search", artistId=artist_id)

    async def refresh_artist(self, artist_id: int) -> Command:
        return await self._command("RefreshArtist", "the artist refresh", artistId=artist_id)

    async def command_status(self, command_id: int) -> Command:
        return await self._get(Command, f"/command/{command_id}", f"command {command_id}")

    # -- queue and history -----------------------------------------------------------

    async def queue(
        self,
        *,
        page: int = 1,
        page_size: int = 100,
        include_artist: bool = True,
        include_album: bool = True,
        artist_ids: Sequence[int] = (),
    ) -> QueuePage:
        """One page of the download queue (Lidarr's default page size is only 10)."""
        params: dict[str, int | bool | Sequence[int]] = {
            "page": page,
            "pageSize": page_size,
            "includeArtist": include_artist,
            "includeAlbum": include_album,
        }
        if artist_ids:
            params["artistIds"] = list(artist_ids)
        return await self._get(QueuePage, "/queue", "the queue", params)

    async def delete_queue_item(
        self, queue_id: int, *, remove_from_client: bool = True, blocklist: bool = False
    ) -> None:
        params = {"removeFromClient": remove_from_client, "blocklist": blocklist}
        await self._call("DELETE", f"/queue/{queue_id}", f"queue item {queue_id}", params=params)

    async def history_since(
        self, since: datetime, *, event_type: HistoryEventType | None = None
    ) -> list[HistoryRecord]:
        """Every history row since a moment (unpaged), optionally of one event type."""
        params: dict[str, str] = {"date": _lidarr_time(since)}
        if event_type:
            params["eventType"] = event_type
        return await self._get(list[HistoryRecord], "/history/since", "the history", params)

    # -- notifications (Lidarr → Tastemaker webhooks) ----------------------------------

    async def notifications(self) -> list[Notification]:
        return await self._get(list[Notification], "/notification", "the connection list")

    async def add_webhook(
        self,
        name: str,
        url: str,
        *,
        method: Literal["POST", "PUT"] = "POST",
        username: str | None = None,
        password: str | None = None,
        headers: Mapping[str, str] | None = None,
        tags: Sequence[int] = (),
    ) -> Notification:
        """Register a Webhook connection for the download events Tastemaker follows."""
        body = _webhook_body(name, url, method, username, password, headers, tags)
        what = f"adding the webhook connection {name!r}"
        return self._parse(
            Notification, await self._call("POST", "/notification", what, body=body), what
        )

    async def test_webhook(
        self,
        name: str,
        url: str,
        *,
        method: Literal["POST", "PUT"] = "POST",
        username: str | None = None,
        password: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Ask Lidarr to send its Test event to ``url`` (it fails if it cannot deliver it)."""
        body = _webhook_body(name, url, method, username, password, headers, ())
        await self._call("POST", "/notification/test", "the webhook test", body=body)

    async def delete_notification(self, notification_id: int) -> None:
        await self._call(
            "DELETE", f"/notification/{notification_id}", f"connection {notification_id}"
        )


def _webhook_body(
    name: str,
    url: str,
    method: Literal["POST", "PUT"],
    username: str | None,
    password: str | None,
    headers: Mapping[str, str] | None,
    tags: Sequence[int],
) -> dict[str, Any]:
    # Lidarr's WebhookSettings: method is an enum, 1 = POST, 2 = PUT.
    fields: list[dict[str, Any]] = [
        {"name": "url", "value": url},
        {"name": "method", "value": 1 if method == "POST" else 2},
        {"name": "username", "value": username or ""},
        {"name": "password", "value": password or ""},
        {"name": "headers", "value": [{"key": k, "value": v} for k, v in (headers or {}).items()]},
    ]
    return {
        "name": name,
        "implementation": "Webhook",
        "configContract": "WebhookSettings",
        "fields": fields,
        "tags": list(tags),
        "onGrab": True,
        "onReleaseImport": True,
        "onUpgrade": True,
        "onDownloadFailure": True,
        "onImportFailure": True,
        "onRename": False,
        "onArtistAdd": False,
        "onArtistDelete": False,
        "onAlbumDelete": False,
        "onHealthIssue": False,
        "onHealthRestored": False,
        "includeHealthWarnings": False,
        "onTrackRetag": False,
        "onApplicationUpdate": False,
    }
