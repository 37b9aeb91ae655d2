"""The library as the signed-in user sees it in Navidrome: browse, search, star, rate, scrobble.

``LibraryService`` wraps one user's :class:`NavidromeClient` (their own linked
account, or the shared one) and the per-user :class:`LibraryCache`. It knows no
HTTP: routes turn its answers into JSON or pages, and Navidrome's failures reach
them as the app's ``ServiceError``\\ s, which name Navidrome and say what to check.

Nothing here loads the whole library: the artist index (names only, what
Navidrome's own UI loads) is the largest thing fetched, once per user per minute;
albums and songs are fetched a page at a time (``getAlbumList2``, ``search3``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypedDict

from tastemaker.integrations.navidrome import NavidromeClient
from tastemaker.integrations.navidrome import models as nd
from tastemaker.integrations.navidrome.errors import SubsonicFailure
from tastemaker.library.cache import LibraryCache
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
    SearchOut,
    SongOut,
)

MAX_PAGE = 500  # getAlbumList2's own limit
# Our names for album orders → getAlbumList2's ``type``.
ALBUM_ORDERS: dict[str, nd.AlbumListType] = {
    "alphabetical": "alphabeticalByName",
    "newest": "newest",
    "recent": "recent",
    "frequent": "frequent",
    "starred": "starred",
    "random": "random",
    "genre": "byGenre",
    "highest": "highest",
}


def fold(text: str) -> str:
    """Lower case without accents, for matching what a person types."""
    if text.isascii():  # nothing to decompose (most names): ten times faster
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class ArtistIndex:
    """The artist index as pages need it: a flat list and where each letter starts."""

    artists: list[ArtistOut]
    letters: dict[str, int]  # index heading → offset of its first artist
    folded: list[str] = field(repr=False)

    @classmethod
    def of(cls, index: nd.ArtistsIndex) -> ArtistIndex:
        artists: list[ArtistOut] = []
        letters: dict[str, int] = {}
        for entry in index.index:
            if entry.artist and entry.name not in letters:
                letters[entry.name] = len(artists)
            artists.extend(ArtistOut.of(artist) for artist in entry.artist)
        return cls(artists, letters, [fold(a.name) for a in artists])

    @property
    def album_total(self) -> int:
        return sum(a.album_count or 0 for a in self.artists)


@dataclass(frozen=True)
class ArtistPage:
    page: Page[ArtistOut]
    letters: dict[str, int]


@dataclass(frozen=True)
class Dashboard:
    newest: list[AlbumOut]
    recent: list[AlbumOut]
    frequent: list[AlbumOut]
    starred: list[AlbumOut]


class _StarIds(TypedDict, total=False):
    song_ids: list[str]
    album_ids: list[str]
    artist_ids: list[str]


def _ids(kind: ItemKind, item_id: str) -> _StarIds:
    if kind == "songs":
        return {"song_ids": [item_id]}
    if kind == "albums":
        return {"album_ids": [item_id]}
    return {"artist_ids": [item_id]}


class LibraryService:
    def __init__(self, client: NavidromeClient, cache: LibraryCache, owner: int) -> None:
        self.client = client
        self.cache = cache
        self.owner = owner

    # --- artists ------------------------------------------------------------------

    async def artist_index(self) -> ArtistIndex:
        async def load() -> ArtistIndex:
            return ArtistIndex.of(await self.client.artists())

        return await self.cache.get(self.owner, ("artists",), load)

    async def artists(self, *, offset: int = 0, limit: int = 100, query: str = "") -> ArtistPage:
        index = await self.artist_index()
        artists = index.artists
        letters = index.letters
        if query.strip():
            needle = fold(query.strip())
            artists = [
                a for a, name in zip(index.artists, index.folded, strict=True) if needle in name
            ]
            letters = {}
        page = Page[ArtistOut](
            items=artists[offset : offset + limit], total=len(artists), offset=offset, limit=limit
        )
        return ArtistPage(page, letters)

    async def artist(self, artist_id: str) -> ArtistDetail:
        async def load() -> ArtistDetail:
            artist = await self.client.artist(artist_id)
            albums = sorted(
                (AlbumOut.of(a) for a in artist.album), key=lambda a: (a.year or 9999, a.title)
            )
            return ArtistDetail(**ArtistOut.of(artist).model_dump(), albums=albums)

        return await self.cache.get(self.owner, ("artist", artist_id), load)

    async def artist_songs(self, artist: ArtistDetail, limit: int = 20) -> list[SongOut]:
        """The artist's most played songs (by the user), else their first songs.

        Navidrome has no "songs of an artist" list in the classic API, so this searches
        the artist's name and keeps their own songs: one bounded call.
        """
        result = await self.client.search(
            artist.name, artist_count=0, album_count=0, song_count=limit * 5
        )
        songs = [SongOut.of(s) for s in result.song if s.artist_id == artist.id]
        songs.sort(key=lambda s: -(s.play_count or 0))
        return songs[:limit]

    # --- albums -------------------------------------------------------------------

    async def albums(
        self,
        *,
        order: AlbumOrder = "alphabetical",
        offset: int = 0,
        limit: int = 50,
        genre: str | None = None,
    ) -> Page[AlbumOut]:
        limit = min(limit, MAX_PAGE)
        if order == "genre" and not genre:
            order = "alphabetical"  # Subsonic's byGenre is a filter: without a genre, no list

        async def load() -> Page[AlbumOut]:
            result = await self.client.album_list(
                ALBUM_ORDERS[order], size=limit, offset=offset, genre=genre
            )
            items = [AlbumOut.of(a) for a in result.album]
            total = result.total
            if total is None and order == "alphabetical":
                # Classic servers send no x-total-count; the artist index knows.
                total = (await self.artist_index()).album_total
            if total is None and len(items) < limit:
                total = offset + len(items)
            return Page[AlbumOut](items=items, total=total, offset=offset, limit=limit)

        if order == "random":
            return await load()
        return await self.cache.get(self.owner, ("albums", order, genre, offset, limit), load)

    async def album(self, album_id: str) -> AlbumDetail:
        async def load() -> AlbumDetail:
            album = await self.client.album(album_id)
            songs = sorted(
                (SongOut.of(s) for s in album.song), key=lambda s: (s.disc or 1, s.track or 0)
            )
            return AlbumDetail(**AlbumOut.of(album).model_dump(), songs=songs)

        return await self.cache.get(self.owner, ("album", album_id), load)

    # --- songs and search ---------------------------------------------------------

    async def songs(self, *, query: str = "", offset: int = 0, limit: int = 50) -> Page[SongOut]:
        # One more than asked tells whether another page exists; search3 has no total.
        result = await self.client.search(
            query, artist_count=0, album_count=0, song_count=limit + 1, song_offset=offset
        )
        songs = [SongOut.of(s) for s in result.song]
        more = len(songs) > limit
        total = None if more else offset + len(songs)
        return Page[SongOut](items=songs[:limit], total=total, offset=offset, limit=limit)

    async def song(self, song_id: str) -> SongOut:
        return SongOut.of(await self.client.song(song_id))

    async def search(self, query: str, *, limit: int = 8) -> SearchOut:
        result = await self.client.search(
            query, artist_count=limit, album_count=limit, song_count=limit * 2
        )
        return SearchOut(
            artists=[ArtistOut.of(a) for a in result.artist],
            albums=[AlbumOut.of(a) for a in result.album],
            songs=[SongOut.of(s) for s in result.song],
        )

    async def genres(self) -> list[GenreOut]:
        async def load() -> list[GenreOut]:
            genres = await self.client.genres()
            out = [
                GenreOut(name=g.name, album_count=g.album_count, song_count=g.song_count)
                for g in genres
            ]
            return sorted(out, key=lambda g: fold(g.name))

        return await self.cache.get(self.owner, ("genres",), load)

    async def starred(self) -> SearchOut:
        async def load() -> SearchOut:
            starred = await self.client.starred()
            return SearchOut(
                artists=[ArtistOut.of(a) for a in starred.artist],
                albums=[AlbumOut.of(a) for a in starred.album],
                songs=[SongOut.of(s) for s in starred.song],
            )

        return await self.cache.get(self.owner, ("starred",), load)

    async def playlists(self) -> list[PlaylistOut]:
        """Every playlist the account sees (Navidrome: its own and public ones; an
        admin's account sees all), in name order; small, so never paged upstream."""
        playlists = [PlaylistOut.of(p) for p in (await self.client.playlists()).playlist]
        return sorted(playlists, key=lambda p: fold(p.name))

    async def playlist(self, playlist_id: str) -> PlaylistDetail:
        playlist = await self.client.playlist(playlist_id)
        return PlaylistDetail(
            **PlaylistOut.of(playlist).model_dump(), songs=[SongOut.of(s) for s in playlist.entry]
        )

    async def dashboard(self, size: int = 12) -> Dashboard:
        """The home page rows; a list the server does not support is left empty."""

        async def row(order: AlbumOrder) -> list[AlbumOut]:
            try:
                return (await self.albums(order=order, limit=size)).items
            except SubsonicFailure:  # e.g. supysonic has no "highest" list
                return []

        starred = await self.starred()
        return Dashboard(
            newest=await row("newest"),
            recent=await row("recent"),
            frequent=await row("frequent"),
            starred=starred.albums[:size],
        )

    # --- annotation ---------------------------------------------------------------

    async def star(self, kind: ItemKind, item_id: str) -> None:
        await self.client.star(**_ids(kind, item_id))
        self.cache.invalidate(self.owner)

    async def unstar(self, kind: ItemKind, item_id: str) -> None:
        await self.client.unstar(**_ids(kind, item_id))
        self.cache.invalidate(self.owner)

    async def rate(self, item_id: str, rating: int) -> None:
        await self.client.set_rating(item_id, rating)
        self.cache.invalidate(self.owner)

    async def scrobble(
        self, song_id: str, *, submission: bool, played_at: datetime | None = None
    ) -> None:
        when = (played_at or datetime.now(UTC)) if submission else None
        await self.client.scrobble(song_id, played_at=when, submission=submission)
        if submission:
            self.cache.invalidate(self.owner)
