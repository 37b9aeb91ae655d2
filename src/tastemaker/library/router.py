"""``/api/library``: browse, search, stream, covers, stars, ratings and scrobbles.

Audio and covers are proxied as they arrive (never buffered), so seeking works
through ``Range`` and no Navidrome credential ever reaches the browser.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from tastemaker.auth.deps import AdminUser, CurrentUser, DbSession
from tastemaker.input_types import Offset
from tastemaker.integrations.navidrome import BinaryStream
from tastemaker.library.answers import repeatable
from tastemaker.library.deps import Library, invalidate_library_cache
from tastemaker.library.schemas import (
    AlbumDetail,
    AlbumOrder,
    AlbumOut,
    ArtistDetail,
    ArtistOut,
    GenreOut,
    ItemKind,
    Page,
    PlaylistDetail,
    PlaylistOut,
    RatingIn,
    ScrobbleIn,
    SearchOut,
    SongOut,
)
from tastemaker.playlists import discoveries
from tastemaker.preferences.models import UserPreferences
from tastemaker.services.deps import Services

api = APIRouter(prefix="/api/library", tags=["library"])

COVER_CACHE = "private, max-age=2592000"  # 30 days: cover ids change when the art does
AUDIO_CACHE = "private, max-age=86400"
NAVIDROME_ERRORS: dict[int | str, dict[str, str]] = {
    502: {"description": "Navidrome failed or rejected the credentials (problem+json)"},
    503: {"description": "Navidrome is unreachable or not configured (problem+json)"},
}


@api.get("/artists", responses=NAVIDROME_ERRORS)
async def list_artists(
    request: Request,
    library: Library,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    query: Annotated[str, Query(max_length=200, description="Part of the name")] = "",
) -> Page[ArtistOut]:
    """Artists in name order (Navidrome's index order)."""
    artists = await library.artists(offset=offset, limit=limit, query=query)
    repeatable(request, library.owner)
    return artists.page


@api.get("/artists/{artist_id}", responses=NAVIDROME_ERRORS)
async def get_artist(artist_id: str, request: Request, library: Library) -> ArtistDetail:
    """An artist with their albums."""
    artist = await library.artist(artist_id)
    repeatable(request, library.owner)
    return artist


@api.get("/albums", responses=NAVIDROME_ERRORS)
async def list_albums(
    request: Request,
    library: Library,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    order: AlbumOrder = "alphabetical",
    genre: Annotated[
        str | None,
        Query(
            max_length=200, description="Only this genre (order=genre; without one: alphabetical)"
        ),
    ] = None,
) -> Page[AlbumOut]:
    """Albums in the given order. ``total`` is ``null`` when the server does not say."""
    if genre and order == "alphabetical":
        order = "genre"
    albums = await library.albums(order=order, offset=offset, limit=limit, genre=genre)
    if order != "random":
        repeatable(request, library.owner)
    return albums


@api.get("/albums/{album_id}", responses=NAVIDROME_ERRORS)
async def get_album(album_id: str, request: Request, library: Library) -> AlbumDetail:
    """An album with its songs in disc and track order."""
    album = await library.album(album_id)
    repeatable(request, library.owner)
    return album


@api.get("/songs", responses=NAVIDROME_ERRORS)
async def list_songs(
    library: Library,
    query: Annotated[str, Query(max_length=200)] = "",
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[SongOut]:
    """Songs matching ``query`` (title, artist or album). ``total`` is ``null`` while
    more pages follow: search gives no count."""
    return await library.songs(query=query, offset=offset, limit=limit)


@api.get("/songs/{song_id}", responses=NAVIDROME_ERRORS)
async def get_song(song_id: str, library: Library) -> SongOut:
    return await library.song(song_id)


@api.get("/search", responses=NAVIDROME_ERRORS)
async def search(
    library: Library,
    query: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 8,
) -> SearchOut:
    """Artists, albums and songs at once (the global search box)."""
    return await library.search(query, limit=limit)


@api.get("/genres", responses=NAVIDROME_ERRORS)
async def list_genres(request: Request, library: Library) -> list[GenreOut]:
    genres = await library.genres()
    repeatable(request, library.owner)
    return genres


@api.get("/starred", responses=NAVIDROME_ERRORS)
async def list_starred(request: Request, library: Library) -> SearchOut:
    """What the user starred: artists, albums and songs."""
    starred = await library.starred()
    repeatable(request, library.owner)
    return starred


@api.get("/playlists", responses=NAVIDROME_ERRORS)
async def list_playlists(
    library: Library,
    user: CurrentUser,
    db: DbSession,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[PlaylistOut]:
    """The user's Navidrome playlists (and the public ones they can see), by name.

    ``discoveries`` marks the one Tastemaker fills with the user's requests.
    """
    playlists = await library.playlists()
    mine = await discoveries.stored_id(db, library.client, user.id)
    items = [p.model_copy(update={"discoveries": p.id == mine}) for p in playlists]
    return Page[PlaylistOut](
        items=items[offset : offset + limit], total=len(items), offset=offset, limit=limit
    )


@api.get("/playlists/{playlist_id}", responses=NAVIDROME_ERRORS)
async def get_playlist(
    playlist_id: str, library: Library, user: CurrentUser, db: DbSession
) -> PlaylistDetail:
    """A playlist with its songs in order."""
    playlist = await library.playlist(playlist_id)
    mine = await discoveries.stored_id(db, library.client, user.id)
    return playlist.model_copy(update={"discoveries": playlist.id == mine})


# --- media --------------------------------------------------------------------------


async def _proxy(
    stack: AsyncExitStack, media: BinaryStream, extra_headers: dict[str, str]
) -> Response:
    headers = {**media.headers, **extra_headers}
    if media.status_code in (304, 416):
        await stack.aclose()
        headers.pop("content-length", None)
        return Response(status_code=media.status_code, headers=headers)

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in media:
                yield chunk
        finally:
            await stack.aclose()

    return StreamingResponse(
        body(),
        status_code=media.status_code,
        headers=headers,
    )


@api.get(
    "/songs/{song_id}/stream",
    responses={
        200: {"content": {"audio/*": {}}, "description": "The whole file"},
        206: {"content": {"audio/*": {}}, "description": "The requested byte range"},
        416: {"description": "The range is outside the file"},
        **NAVIDROME_ERRORS,
    },
    response_class=StreamingResponse,
)
async def stream_song(
    song_id: str,
    request: Request,
    library: Library,
    user: CurrentUser,
    db: DbSession,
    format: Annotated[str | None, Query(max_length=16, pattern="^[a-z0-9]+$")] = None,
    max_bit_rate: Annotated[int | None, Query(ge=0, le=1411, description="kbps")] = None,
) -> Response:
    """The song's audio, passed through as it arrives. Send ``Range`` to seek.

    Without ``format``/``max_bit_rate`` the user's playback preferences apply.
    Playing does not count as a play: the player calls ``…/scrobble``.
    """
    if format is None and max_bit_rate is None:
        prefs = await db.get(UserPreferences, user.id)
        if prefs is not None:
            format = prefs.stream_format or None
            max_bit_rate = prefs.stream_max_bitrate or None
    # A song plays for minutes: give the database connection back to the pool now,
    # or every listener holds one (and, on SQLite, its page cache) until the end.
    await db.close()
    stack = AsyncExitStack()
    media = await stack.enter_async_context(
        library.client.stream(
            song_id, request_headers=request.headers, format=format, max_bit_rate=max_bit_rate
        )
    )
    extra = {} if "cache-control" in media.headers else {"cache-control": AUDIO_CACHE}
    return await _proxy(stack, media, extra)


@api.get(
    "/cover/{cover_id}",
    responses={
        200: {"content": {"image/*": {}}, "description": "The image"},
        304: {"description": "The browser's copy is current (ETag)"},
        **NAVIDROME_ERRORS,
    },
    response_class=StreamingResponse,
)
async def cover_art(
    cover_id: str,
    request: Request,
    library: Library,
    size: Annotated[int | None, Query(ge=16, le=2048, description="Longest side, px")] = None,
) -> Response:
    """Cover art by an item's ``cover_art`` id; cached by the browser for 30 days.

    Navidrome's cover ids change when the art changes, so the ETag is derived from
    the id and size and a revalidation costs Navidrome nothing.
    """
    digest = hashlib.sha256(f"{cover_id}:{size or 0}".encode()).hexdigest()[:24]
    etag = f'"{digest}"'
    headers = {"etag": etag, "cache-control": COVER_CACHE}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    stack = AsyncExitStack()
    media = await stack.enter_async_context(library.client.cover_art(cover_id, size=size))
    for name in ("etag", "last-modified", "expires", "cache-control"):
        media.headers.pop(name, None)
    return await _proxy(stack, media, headers)


# --- annotation ---------------------------------------------------------------------


@api.put("/{kind}/{item_id}/star", status_code=204, responses=NAVIDROME_ERRORS)
async def star(kind: ItemKind, item_id: str, library: Library) -> Response:
    """Star an artist, album or song (``kind``: ``artists``, ``albums``, ``songs``)."""
    await library.star(kind, item_id)
    return Response(status_code=204)


@api.delete("/{kind}/{item_id}/star", status_code=204, responses=NAVIDROME_ERRORS)
async def unstar(kind: ItemKind, item_id: str, library: Library) -> Response:
    """Remove the star."""
    await library.unstar(kind, item_id)
    return Response(status_code=204)


@api.put("/{kind}/{item_id}/rating", status_code=204, responses=NAVIDROME_ERRORS)
async def rate(kind: ItemKind, item_id: str, body: RatingIn, library: Library) -> Response:
    """Rate 1–5 stars; 0 clears the rating."""
    await library.rate(item_id, body.rating)
    return Response(status_code=204)


@api.post("/songs/{song_id}/scrobble", status_code=204, responses=NAVIDROME_ERRORS)
async def scrobble(song_id: str, body: ScrobbleIn, library: Library) -> Response:
    """Tell Navidrome what plays: ``submission=false`` when a song starts ("now
    playing"), ``true`` once half of it (or four minutes) was heard."""
    await library.scrobble(song_id, submission=body.submission, played_at=body.played_at)
    return Response(status_code=204)


@api.post("/scan", status_code=202, responses=NAVIDROME_ERRORS)
async def start_scan(request: Request, admin: AdminUser, hub: Services) -> dict[str, bool]:
    """Ask Navidrome to rescan the library (admins); cached listings are dropped."""
    status = await (await hub.navidrome(admin)).start_scan()
    invalidate_library_cache(request.app)
    return {"scanning": status.scanning}
