"""Album lists, search and starred items, answered from precomputed indexes.

Library-wide orders (alphabetical, newest, by year, by genre) slice lists built at
load/scan time; per-user orders (frequent, recent, highest, starred) sort only the
user's own annotations, whose size does not grow with the library.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Any

from tastemaker.simulators.subsonic.context import Ctx, method
from tastemaker.simulators.subsonic.library import AlbumEntry
from tastemaker.simulators.subsonic.responses import (
    SubsonicError,
    album_json,
    artist_json,
    song_json,
)
from tastemaker.simulators.subsonic.search import WordIndex

MAX_LIST_SIZE = 500
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _user_albums(ctx: Ctx, list_type: str) -> list[AlbumEntry]:
    marks = ctx.user.of("album")
    if list_type == "frequent":
        ranked = sorted(marks.plays, key=lambda i: -marks.plays[i])
    elif list_type == "recent":
        ranked = sorted(marks.played, key=lambda i: marks.played[i], reverse=True)
    elif list_type == "highest":
        ranked = sorted(marks.rating, key=lambda i: -marks.rating[i])
    else:  # starred: newest star first
        ranked = sorted(marks.starred, key=lambda i: marks.starred[i], reverse=True)
    albums = ctx.library.albums
    return [albums[album_id] for album_id in ranked if album_id in albums]


def _album_list(ctx: Ctx, list_type: str) -> Sequence[AlbumEntry]:
    library = ctx.library
    if list_type == "newest":
        return library.albums_newest
    if list_type == "alphabeticalByName":
        return library.albums_by_name
    if list_type == "alphabeticalByArtist":
        return library.albums_by_artist
    if list_type in ("frequent", "recent", "highest", "starred"):
        return _user_albums(ctx, list_type)
    if list_type == "byGenre":
        return library.albums_by_genre.get(ctx.require("genre"), [])
    if list_type == "byYear":
        return library.albums_in_years(ctx.int("fromYear", 0), ctx.int("toYear", 9999))
    raise SubsonicError(0, f"type '{list_type}' not implemented")


@method("getAlbumList2")
async def get_album_list2(ctx: Ctx) -> dict[str, Any]:
    list_type = ctx.require("type")
    size = min(max(ctx.int("size", 10), 0), MAX_LIST_SIZE)
    offset = max(ctx.int("offset", 0), 0)
    library = ctx.library
    if list_type == "random":
        pool = library.albums_by_name
        picked: Sequence[AlbumEntry] = random.sample(pool, min(size, len(pool)))
        total = len(pool)
    else:
        matches = _album_list(ctx, list_type)
        picked, total = matches[offset : offset + size], len(matches)
    return {
        "albumList2": {"album": [album_json(library, album, ctx.user) for album in picked]},
        # Navidrome tells the total number of matches in a header.
        "__headers__": {"x-total-count": str(total)},
    }


def _page(positions: list[int] | None, size: int, offset: int, count: int) -> range | list[int]:
    if count <= 0:
        return []
    if positions is None:  # everything, in index order
        return range(offset, min(offset + count, size))
    return positions[offset : offset + count]


@method("search3")
async def search3(ctx: Ctx) -> dict[str, Any]:
    library, user = ctx.library, ctx.user
    query = (ctx.get("query") or "").strip().strip('"').removesuffix("*").strip()
    counts = {kind: ctx.int(f"{kind}Count", 20) for kind in ("artist", "album", "song")}
    offsets = {kind: max(ctx.int(f"{kind}Offset", 0), 0) for kind in ("artist", "album", "song")}
    result: dict[str, list[dict[str, Any]]] = {"artist": [], "album": [], "song": []}
    if _UUID.match(query):
        # Navidrome matches MusicBrainz ids: artist, album (release or release group), song.
        for item_id in library.by_mbid.get(query.lower(), []):
            kind = library.kind_of(item_id)
            if kind == "artist" and counts["artist"] > 0:
                result["artist"].append(artist_json(library, library.artists[item_id], user))
            elif kind == "album" and counts["album"] > 0:
                result["album"].append(album_json(library, library.albums[item_id], user))
            elif kind == "song" and counts["song"] > 0:
                result["song"].append(song_json(library, library.songs[item_id], user))
    elif query == "" or len(query) >= 2:

        def hits(index: WordIndex, kind: str) -> range | list[int]:
            positions = index.search(query) if query else None
            return _page(positions, index.size, offsets[kind], counts[kind])

        result["artist"] = [
            artist_json(library, library.artists_sorted[p], user)
            for p in hits(library.artist_search, "artist")
        ]
        result["album"] = [
            album_json(library, library.albums_by_name[p], user)
            for p in hits(library.album_search, "album")
        ]
        result["song"] = [
            song_json(library, library.songs_sorted[p], user)
            for p in hits(library.song_search, "song")
        ]
    # Like Navidrome, empty lists are left out.
    return {"searchResult3": {kind: items for kind, items in result.items() if items}}


@method("getStarred2")
async def get_starred2(ctx: Ctx) -> dict[str, Any]:
    library, user = ctx.library, ctx.user

    def newest_first(kind: str) -> list[str]:
        starred = user.of(kind).starred
        return sorted(starred, key=lambda item_id: starred[item_id], reverse=True)

    out = {
        "artist": [
            artist_json(library, library.artists[i], user)
            for i in newest_first("artist")
            if i in library.artists
        ],
        "album": [
            album_json(library, library.albums[i], user)
            for i in newest_first("album")
            if i in library.albums
        ],
        "song": [
            song_json(library, library.songs[i], user)
            for i in newest_first("song")
            if i in library.songs
        ],
    }
    return {"starred2": {kind: items for kind, items in out.items() if items}}
