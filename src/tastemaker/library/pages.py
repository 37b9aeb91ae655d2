"""Library pages: artists, an artist, albums, an album, songs, genres, starred, playlists,
search.

Each page calls the same ``LibraryService`` as the API. When Navidrome fails the
page still renders, with the failure explained in place of the list (and the
status code of the failure), so the navigation and the player stay usable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from tastemaker.auth.deps import CurrentUser, DbSession
from tastemaker.errors import ServiceError
from tastemaker.input_types import Offset
from tastemaker.library.deps import Library
from tastemaker.library.schemas import AlbumOrder
from tastemaker.playlists import discoveries
from tastemaker.preferences.models import DISCOVERIES_NAME, UserPreferences
from tastemaker.web import pages

router = APIRouter(include_in_schema=False)

ARTISTS_PER_PAGE = 120
ALBUMS_PER_PAGE = 60
SONGS_PER_PAGE = 50
Text = Annotated[str, Query(max_length=200)]

ALBUM_TITLES: dict[str, tuple[str, str, str]] = {
    # order: (title, description, tab)
    "alphabetical": ("Albums", "Every album, A to Z.", "albums"),
    "newest": ("Recently added", "The newest albums on your server.", "newest"),
    "recent": ("Recently played", "Albums you played lately.", "albums"),
    "frequent": ("Most played", "Albums you come back to.", "albums"),
    "starred": ("Starred albums", "Albums you starred.", "starred"),
    "random": ("Random albums", "A handful picked at random.", "albums"),
    "highest": ("Top rated", "Your best-rated albums.", "albums"),
    "genre": ("Genre", "", "genres"),
}


async def _render(
    request: Request,
    template: str,
    load: Callable[[], Awaitable[dict[str, Any]]],
    fallback: dict[str, Any],
) -> Response:
    try:
        context = await load()
    except ServiceError as error:
        return pages(request).render(
            request,
            template,
            {**fallback, "error": error},
            status_code=error.status,
            nav="library",
        )
    return pages(request).render(request, template, context, nav="library")


@router.get("/library")
async def artists_page(
    request: Request, library: Library, offset: Offset = 0, query: Text = ""
) -> Response:
    async def load() -> dict[str, Any]:
        result = await library.artists(offset=offset, limit=ARTISTS_PER_PAGE, query=query)
        return {"page": result.page, "letters": result.letters, "query": query}

    template = "library/artists.html"
    if request.headers.get("HX-Target") == "library-results":
        template = "library/_artist_results.html"
    return await _render(request, template, load, {"query": query})


@router.get("/library/artists/{artist_id}")
async def artist_page(request: Request, artist_id: str, library: Library) -> Response:
    async def load() -> dict[str, Any]:
        artist = await library.artist(artist_id)
        return {"artist": artist, "songs": await library.artist_songs(artist)}

    return await _render(request, "library/artist.html", load, {"artist": None})


@router.get("/library/albums")
async def albums_page(
    request: Request,
    library: Library,
    offset: Offset = 0,
    order: AlbumOrder = "alphabetical",
    genre: Text = "",
) -> Response:
    if order == "genre" and not genre:
        order = "alphabetical"
    title, description, tab = ALBUM_TITLES[order]
    if order == "genre":
        title, description = genre, f"Albums tagged “{genre}”."
    base = {"order": order, "genre": genre, "title": title, "description": description}

    async def load() -> dict[str, Any]:
        page = await library.albums(
            order=order, offset=offset, limit=ALBUMS_PER_PAGE, genre=genre or None
        )
        return {**base, "tab": tab, "page": page}

    return await _render(request, "library/albums.html", load, {**base, "tab": tab})


@router.get("/library/albums/{album_id}")
async def album_page(request: Request, album_id: str, library: Library) -> Response:
    async def load() -> dict[str, Any]:
        return {"album": await library.album(album_id)}

    return await _render(request, "library/album.html", load, {"album": None})


@router.get("/library/songs")
async def songs_page(
    request: Request, library: Library, query: Text = "", offset: Offset = 0
) -> Response:
    async def load() -> dict[str, Any]:
        if not query.strip():
            return {"query": ""}
        page = await library.songs(query=query.strip(), offset=offset, limit=SONGS_PER_PAGE)
        return {"query": query.strip(), "page": page}

    return await _render(request, "library/songs.html", load, {"query": query})


@router.get("/library/genres")
async def genres_page(request: Request, library: Library) -> Response:
    async def load() -> dict[str, Any]:
        return {"genres": await library.genres()}

    return await _render(request, "library/genres.html", load, {})


@router.get("/library/starred")
async def starred_page(request: Request, library: Library) -> Response:
    async def load() -> dict[str, Any]:
        return {"starred": await library.starred()}

    return await _render(request, "library/starred.html", load, {})


@router.get("/library/playlists")
async def playlists_page(
    request: Request, library: Library, user: CurrentUser, db: DbSession
) -> Response:
    prefs = await db.get(UserPreferences, user.id)
    base = {
        "discoveries_on": prefs.discoveries_playlist if prefs else True,
        "discoveries_name": prefs.discoveries_playlist_name if prefs else DISCOVERIES_NAME,
        "me": library.client.username,
    }

    async def load() -> dict[str, Any]:
        mine = await discoveries.stored_id(db, library.client, user.id)
        playlists = [
            p.model_copy(update={"discoveries": p.id == mine}) for p in await library.playlists()
        ]
        playlists.sort(key=lambda p: not p.discoveries)  # stable: the rest stay by name
        return {**base, "playlists": playlists}

    return await _render(request, "library/playlists.html", load, base)


@router.get("/library/playlists/{playlist_id}")
async def playlist_page(
    request: Request, playlist_id: str, library: Library, user: CurrentUser, db: DbSession
) -> Response:
    async def load() -> dict[str, Any]:
        playlist = await library.playlist(playlist_id)
        mine = await discoveries.stored_id(db, library.client, user.id)
        return {"playlist": playlist.model_copy(update={"discoveries": playlist.id == mine})}

    return await _render(request, "library/playlist.html", load, {"playlist": None})


@router.get("/search")
async def search_page(request: Request, library: Library, q: Text = "") -> Response:
    async def load() -> dict[str, Any]:
        if not q.strip():
            return {"query": ""}
        return {"query": q.strip(), "results": await library.search(q.strip(), limit=12)}

    return await _render(request, "library/search.html", load, {"query": q})
