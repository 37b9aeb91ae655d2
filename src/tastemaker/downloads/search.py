"""Find music: Lidarr's lookup for artists and albums, each marked as already in the
library (Navidrome) or already requested by this user."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.auth.models import User
from tastemaker.downloads import service
from tastemaker.downloads.models import DownloadRequest
from tastemaker.downloads.tracking import fold
from tastemaker.errors import ServiceError
from tastemaker.services.hub import ServiceHub

log = logging.getLogger(__name__)
MAX_ARTISTS = 8
MAX_ALBUMS = 12


@dataclass(frozen=True)
class Found:
    kind: str  # artist, album
    artist_name: str
    artist_mbid: str
    album_title: str | None
    album_mbid: str | None
    detail: str  # "Album · 2019", "Group · Jazz, Soul"
    image: str | None
    owned: bool
    request: DownloadRequest | None


@dataclass(frozen=True)
class Results:
    artists: list[Found]
    albums: list[Found]
    library_checked: bool


async def find_music(session: AsyncSession, hub: ServiceHub, user: User, query: str) -> Results:
    lidarr = await hub.lidarr()
    artists = (await lidarr.lookup_artists(query))[:MAX_ARTISTS]
    albums = (await lidarr.lookup_albums(query))[:MAX_ALBUMS]
    owned_artists: set[str] = set()
    owned_albums: set[tuple[str, str]] = set()
    library_checked = True
    try:
        navidrome = await hub.navidrome(user)
        found = await navidrome.search(query, artist_count=50, album_count=100, song_count=0)
        owned_artists = {fold(a.name) for a in found.artist} | {
            a.music_brainz_id for a in found.artist if a.music_brainz_id
        }
        owned_albums = {(fold(a.name), fold(a.artist)) for a in found.album}
    except ServiceError as error:
        log.info("library check skipped for Find music: %s", error.detail)
        library_checked = False
    requested = await service.requested_keys(session, user)
    artist_results = [
        Found(
            kind="artist",
            artist_name=a.artist_name or "",
            artist_mbid=a.foreign_artist_id or "",
            album_title=None,
            album_mbid=None,
            detail=" · ".join(x for x in (a.artist_type, ", ".join(a.genres[:2])) if x),
            image=a.remote_poster,
            owned=fold(a.artist_name) in owned_artists or a.foreign_artist_id in owned_artists,
            request=requested.get(f"artist:{a.foreign_artist_id}"),
        )
        for a in artists
        if a.foreign_artist_id
    ]
    album_results = []
    for album in albums:
        if not album.foreign_album_id or album.artist is None:
            continue
        artist_name = album.artist.artist_name or ""
        year = album.release_date.year if album.release_date else None
        album_results.append(
            Found(
                kind="album",
                artist_name=artist_name,
                artist_mbid=album.artist.foreign_artist_id or "",
                album_title=album.title,
                album_mbid=album.foreign_album_id,
                detail=" · ".join(str(x) for x in (album.album_type, year) if x),
                image=album.remote_cover,
                owned=(fold(album.title), fold(artist_name)) in owned_albums,
                request=requested.get(album.foreign_album_id),
            )
        )
    return Results(artist_results, album_results, library_checked)
