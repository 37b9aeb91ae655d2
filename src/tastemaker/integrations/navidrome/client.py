"""Async client for Navidrome (and any Subsonic/OpenSubsonic server).

Why our own thin client and not py-opensonic's ``AsyncConnection`` (10.4.1): both
were tried against supysonic (the suite's real Subsonic server). py-opensonic
browses fine once told ``legacy_auth=True, use_get=True``, but:

- it builds its own ``aiohttp`` session: no injected ``httpx.AsyncClient``, a second
  HTTP stack in the app, and a fixed timeout (no total limit, 60 s read) we cannot set;
- credentials are fixed per connection object, so per-user accounts mean one
  connection (and one aiohttp session) per user;
- its strict models reject supysonic's ``getUser`` (``MissingField
  video_conversion_role``) — one absent classic field fails the whole call;
- it does not detect password-only servers: token auth on supysonic raises a
  generic ``ParameterError`` (code 10), and a server that is down raises raw
  ``aiohttp`` errors, so the error mapping would be ours anyway;
- it ships no ``py.typed`` (``mypy --strict`` sees ``Any``), defaults to POST
  (supysonic honours ``Range`` only on GET), takes host and port separately, and
  is GPL-licensed while Tastemaker is MIT.

What the app needs is small (about thirty GET calls, JSON, two binary streams), so
this module does it directly with httpx and pydantic models (``models.py``).

Credentials: give them per instance (``NavidromeClient(…, credentials=…)``), bind
a user's own with :meth:`NavidromeClient.as_user` (cheap: shares the HTTP client
and the detected auth style), or pass ``credentials=`` to any call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

import httpx

from tastemaker.integrations.navidrome import errors
from tastemaker.integrations.navidrome.auth import AuthMode, NavidromeCredentials, ResolvedAuth
from tastemaker.integrations.navidrome.models import (
    AlbumList,
    AlbumListType,
    AlbumWithSongs,
    ArtistsIndex,
    ArtistWithAlbums,
    Extension,
    Genre,
    License,
    MusicFolder,
    Playlists,
    PlaylistWithSongs,
    ScanStatus,
    SearchResult,
    ServerInfo,
    Song,
    Starred,
    User,
)
from tastemaker.integrations.navidrome.streaming import BinaryStream
from tastemaker.integrations.navidrome.transport import M, Params, SubsonicTransport

DEFAULT_TIMEOUT = 10.0


class NavidromeClient:
    """One Navidrome server. ``http`` is owned by the caller (the app's lifespan)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        credentials: NavidromeCredentials | None = None,
        *,
        auth: AuthMode = "auto",
        timeout: float = DEFAULT_TIMEOUT,
        client_name: str = "tastemaker",
        _transport: SubsonicTransport | None = None,
    ) -> None:
        self._transport = _transport or SubsonicTransport(
            http, base_url, auth=auth, timeout=timeout, client_name=client_name
        )
        self.base_url = self._transport.base_url
        self._credentials = credentials

    def as_user(self, credentials: NavidromeCredentials) -> NavidromeClient:
        """The same server, speaking as another account (e.g. the signed-in user's).

        Cheap: shares the HTTP client and the auth style already learnt.
        """
        return NavidromeClient(
            self._transport.http, self.base_url, credentials, _transport=self._transport
        )

    @property
    def username(self) -> str | None:
        """The account this client speaks as; ``None`` when each call must pass one."""
        return self._credentials.username if self._credentials is not None else None

    @property
    def auth_style(self) -> ResolvedAuth | None:
        """``token`` or ``password`` once known (``auto`` learns it on the first call)."""
        return self._transport.auth_style

    def _creds(self, credentials: NavidromeCredentials | None) -> NavidromeCredentials:
        chosen = credentials or self._credentials
        if chosen is None:
            raise errors.no_account()
        return chosen

    async def _call(
        self,
        method: str,
        params: Params | None = None,
        credentials: NavidromeCredentials | None = None,
    ) -> tuple[dict[str, Any], httpx.Response]:
        return await self._transport.call(method, params, self._creds(credentials))

    async def _get(
        self,
        method: str,
        key: str,
        model: type[M],
        params: Params | None = None,
        credentials: NavidromeCredentials | None = None,
        *,
        required: bool = True,
    ) -> M:
        envelope, _ = await self._call(method, params, credentials)
        return self._transport.parse(envelope, key, model, required=required)

    # --- system -------------------------------------------------------------------

    async def ping(self, *, credentials: NavidromeCredentials | None = None) -> ServerInfo:
        """Checks the URL and the credentials; returns the server's identity."""
        envelope, _ = await self._call("ping", None, credentials)
        return self._transport.parse({"info": envelope}, "info", ServerInfo, required=True)

    async def license(self, *, credentials: NavidromeCredentials | None = None) -> License:
        return await self._get("getLicense", "license", License, None, credentials)

    async def extensions(
        self, *, credentials: NavidromeCredentials | None = None
    ) -> list[Extension]:
        """OpenSubsonic extensions; ``[]`` for a classic server that lacks the method."""
        try:
            envelope, _ = await self._call("getOpenSubsonicExtensions", None, credentials)
        except errors.SubsonicFailure:
            return []
        raw = envelope.get("openSubsonicExtensions")
        return self._transport.parse_list(raw, Extension, "openSubsonicExtensions")

    async def music_folders(
        self, *, credentials: NavidromeCredentials | None = None
    ) -> list[MusicFolder]:
        envelope, _ = await self._call("getMusicFolders", None, credentials)
        folders = envelope.get("musicFolders")
        raw = folders.get("musicFolder") if isinstance(folders, dict) else None
        return self._transport.parse_list(raw, MusicFolder, "musicFolder")

    async def user(self, username: str, *, credentials: NavidromeCredentials | None = None) -> User:
        return await self._get("getUser", "user", User, {"username": username}, credentials)

    async def start_scan(
        self, *, full: bool = False, credentials: NavidromeCredentials | None = None
    ) -> ScanStatus:
        params = {"fullScan": True} if full else None
        return await self._get("startScan", "scanStatus", ScanStatus, params, credentials)

    async def scan_status(self, *, credentials: NavidromeCredentials | None = None) -> ScanStatus:
        return await self._get("getScanStatus", "scanStatus", ScanStatus, None, credentials)

    # --- browsing -----------------------------------------------------------------

    async def artists(
        self, *, music_folder_id: str | None = None, credentials: NavidromeCredentials | None = None
    ) -> ArtistsIndex:
        params = {"musicFolderId": music_folder_id}
        return await self._get(
            "getArtists", "artists", ArtistsIndex, params, credentials, required=False
        )

    async def artist(
        self, artist_id: str, *, credentials: NavidromeCredentials | None = None
    ) -> ArtistWithAlbums:
        return await self._get(
            "getArtist", "artist", ArtistWithAlbums, {"id": artist_id}, credentials
        )

    async def album(
        self, album_id: str, *, credentials: NavidromeCredentials | None = None
    ) -> AlbumWithSongs:
        return await self._get("getAlbum", "album", AlbumWithSongs, {"id": album_id}, credentials)

    async def song(self, song_id: str, *, credentials: NavidromeCredentials | None = None) -> Song:
        return await self._get("getSong", "song", Song, {"id": song_id}, credentials)

    async def genres(self, *, credentials: NavidromeCredentials | None = None) -> list[Genre]:
        envelope, _ = await self._call("getGenres", None, credentials)
        genres = envelope.get("genres")
        raw = genres.get("genre") if isinstance(genres, dict) else None
        return self._transport.parse_list(raw, Genre, "genre")

    async def album_list(
        self,
        list_type: AlbumListType,
        *,
        size: int = 10,
        offset: int = 0,
        genre: str | None = None,
        from_year: int | None = None,
        to_year: int | None = None,
        music_folder_id: str | None = None,
        credentials: NavidromeCredentials | None = None,
    ) -> AlbumList:
        """``getAlbumList2``; ``size`` is capped at 500 by the servers."""
        params: dict[str, str | int | None] = {
            "type": list_type,
            "size": size,
            "offset": offset,
            "genre": genre,
            "fromYear": from_year,
            "toYear": to_year,
            "musicFolderId": music_folder_id,
        }
        envelope, response = await self._call("getAlbumList2", params, credentials)
        result = self._transport.parse(envelope, "albumList2", AlbumList, required=False)
        total = response.headers.get("x-total-count")
        return (
            result.model_copy(update={"total": int(total)}) if total and total.isdigit() else result
        )

    async def search(
        self,
        query: str,
        *,
        artist_count: int = 20,
        artist_offset: int = 0,
        album_count: int = 20,
        album_offset: int = 0,
        song_count: int = 20,
        song_offset: int = 0,
        credentials: NavidromeCredentials | None = None,
    ) -> SearchResult:
        """``search3``; an empty query lists everything (OpenSubsonic)."""
        params: dict[str, str | int] = {
            "query": query,
            "artistCount": artist_count,
            "artistOffset": artist_offset,
            "albumCount": album_count,
            "albumOffset": album_offset,
            "songCount": song_count,
            "songOffset": song_offset,
        }
        return await self._get(
            "search3", "searchResult3", SearchResult, params, credentials, required=False
        )

    async def starred(self, *, credentials: NavidromeCredentials | None = None) -> Starred:
        return await self._get(
            "getStarred2", "starred2", Starred, None, credentials, required=False
        )

    # --- annotation ---------------------------------------------------------------

    async def star(
        self,
        *,
        song_ids: Iterable[str] = (),
        album_ids: Iterable[str] = (),
        artist_ids: Iterable[str] = (),
        credentials: NavidromeCredentials | None = None,
    ) -> None:
        params = {"id": list(song_ids), "albumId": list(album_ids), "artistId": list(artist_ids)}
        await self._call("star", params, credentials)

    async def unstar(
        self,
        *,
        song_ids: Iterable[str] = (),
        album_ids: Iterable[str] = (),
        artist_ids: Iterable[str] = (),
        credentials: NavidromeCredentials | None = None,
    ) -> None:
        params = {"id": list(song_ids), "albumId": list(album_ids), "artistId": list(artist_ids)}
        await self._call("unstar", params, credentials)

    async def set_rating(
        self, item_id: str, rating: int, *, credentials: NavidromeCredentials | None = None
    ) -> None:
        """``rating`` 1–5, or 0 to clear."""
        if not 0 <= rating <= 5:
            raise ValueError("rating must be between 0 and 5")
        await self._call("setRating", {"id": item_id, "rating": rating}, credentials)

    async def scrobble(
        self,
        song_id: str,
        *,
        played_at: datetime | None = None,
        submission: bool = True,
        credentials: NavidromeCredentials | None = None,
    ) -> None:
        """A play (``submission``) or "now playing" (``submission=False``)."""
        params: dict[str, str | int | bool | None] = {"id": song_id, "submission": submission}
        if played_at is not None:
            params["time"] = int(played_at.timestamp() * 1000)
        await self._call("scrobble", params, credentials)

    # --- playlists ----------------------------------------------------------------

    async def playlists(self, *, credentials: NavidromeCredentials | None = None) -> Playlists:
        return await self._get(
            "getPlaylists", "playlists", Playlists, None, credentials, required=False
        )

    async def playlist(
        self, playlist_id: str, *, credentials: NavidromeCredentials | None = None
    ) -> PlaylistWithSongs:
        return await self._get(
            "getPlaylist", "playlist", PlaylistWithSongs, {"id": playlist_id}, credentials
        )

    async def create_playlist(
        self,
        name: str,
        song_ids: Iterable[str] = (),
        *,
        credentials: NavidromeCredentials | None = None,
    ) -> PlaylistWithSongs | None:
        """The new playlist; ``None`` from servers older than 1.14 that answer empty."""
        envelope, _ = await self._call(
            "createPlaylist", {"name": name, "songId": list(song_ids)}, credentials
        )
        if "playlist" not in envelope:
            return None
        return self._transport.parse(envelope, "playlist", PlaylistWithSongs, required=True)

    async def update_playlist(
        self,
        playlist_id: str,
        *,
        name: str | None = None,
        comment: str | None = None,
        public: bool | None = None,
        add_song_ids: Iterable[str] = (),
        remove_indexes: Iterable[int] = (),
        credentials: NavidromeCredentials | None = None,
    ) -> None:
        params = {
            "playlistId": playlist_id,
            "name": name,
            "comment": comment,
            "public": public,
            "songIdToAdd": list(add_song_ids),
            "songIndexToRemove": [str(index) for index in remove_indexes],
        }
        await self._call("updatePlaylist", params, credentials)

    async def delete_playlist(
        self, playlist_id: str, *, credentials: NavidromeCredentials | None = None
    ) -> None:
        await self._call("deletePlaylist", {"id": playlist_id}, credentials)

    # --- media ----------------------------------------------------------------------

    def stream(
        self,
        song_id: str,
        *,
        request_headers: Mapping[str, str] | None = None,
        max_bit_rate: int | None = None,
        format: str | None = None,
        credentials: NavidromeCredentials | None = None,
    ) -> AbstractAsyncContextManager[BinaryStream]:
        """``async with client.stream(id, request_headers={"Range": …}) as media:``

        Only Range/If-* request headers are forwarded. ``media.status_code`` is 200,
        206 (partial), 304 or 416; iterate ``media`` for the bytes as they arrive.
        Streaming is not a play under OpenSubsonic: call :meth:`scrobble`.
        """
        params = {"id": song_id, "maxBitRate": max_bit_rate, "format": format}
        return self._transport.binary("stream", params, request_headers, self._creds(credentials))

    def cover_art(
        self,
        cover_id: str,
        *,
        size: int | None = None,
        request_headers: Mapping[str, str] | None = None,
        credentials: NavidromeCredentials | None = None,
    ) -> AbstractAsyncContextManager[BinaryStream]:
        """The image for an entity's ``cover_art`` id (not the entity id), optionally resized."""
        return self._transport.binary(
            "getCoverArt", {"id": cover_id, "size": size}, request_headers, self._creds(credentials)
        )
