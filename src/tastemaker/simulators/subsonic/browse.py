"""Browsing by ID3 tags: the artist index, an artist, an album, a song, the genres."""

from __future__ import annotations

from typing import Any

from tastemaker.simulators.subsonic.context import Ctx, method
from tastemaker.simulators.subsonic.library import IGNORED_ARTICLES
from tastemaker.simulators.subsonic.responses import (
    SubsonicError,
    album_json,
    artist_json,
    song_json,
)


def not_found(what: str) -> SubsonicError:
    return SubsonicError(70, f"{what} not found")


@method("getArtists")
async def get_artists(ctx: Ctx) -> dict[str, Any]:
    library, user = ctx.library, ctx.user
    return {
        "artists": {
            "index": [
                {"name": letter, "artist": [artist_json(library, a, user) for a in artists]}
                for letter, artists in sorted(library.artist_index.items())
            ],
            "lastModified": int(library.last_scan.timestamp() * 1000),
            "ignoredArticles": " ".join(IGNORED_ARTICLES),
        }
    }


@method("getArtist")
async def get_artist(ctx: Ctx) -> dict[str, Any]:
    library = ctx.library
    artist = library.artists.get(ctx.require("id"))
    if artist is None:
        raise not_found("Artist")
    out = artist_json(library, artist, ctx.user)
    out["album"] = [album_json(library, library.albums[i], ctx.user) for i in artist.album_ids]
    return {"artist": out}


@method("getAlbum")
async def get_album(ctx: Ctx) -> dict[str, Any]:
    library = ctx.library
    album = library.albums.get(ctx.require("id"))
    if album is None:
        raise not_found("Album")
    out = album_json(library, album, ctx.user)
    out["song"] = [song_json(library, library.songs[i], ctx.user) for i in album.song_ids]
    return {"album": out}


@method("getSong")
async def get_song(ctx: Ctx) -> dict[str, Any]:
    song = ctx.library.songs.get(ctx.require("id"))
    if song is None:
        raise not_found("Song")
    return {"song": song_json(ctx.library, song, ctx.user)}


@method("getGenres")
async def get_genres(ctx: Ctx) -> dict[str, Any]:
    return {
        "genres": {
            "genre": [
                {"value": name, "songCount": songs, "albumCount": albums}
                for name, songs, albums in ctx.library.genres
            ]
        }
    }
