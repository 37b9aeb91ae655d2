"""The user's taste, read from their own Navidrome data, bounded whatever the library's size.

Only fixed-size lists are asked of Navidrome for the prompt (the most played,
recently played, starred and highest rated albums, the starred artists, the
genres), and each part is cut to a fixed number of entries, so a 100,000-track
library yields a prompt as long as a 1,000-track one. The whole artist index is
read too, but only to know what the user already owns (never sent to the model).

The Navidrome part is cached per user for a while: it changes slowly and a run
may need it several times (extra rounds, scheduled runs).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

from tastemaker.integrations.navidrome import NavidromeClient
from tastemaker.integrations.navidrome.errors import SubsonicFailure
from tastemaker.integrations.navidrome.models import Album, AlbumList, AlbumListType

from .matching import normalise_name

TOP_ARTISTS = 15
RECENT_ARTISTS = 8
STARRED_ARTISTS = 10
TOP_ALBUMS = 8
TOP_GENRES = 8
LIST_SIZE = 50
CACHE_SECONDS = 15 * 60


@dataclass(frozen=True)
class OwnedArtist:
    id: str
    name: str
    mbid: str | None


@dataclass
class Ownership:
    """What the library holds, to filter out: by MusicBrainz id, else by normalised name."""

    by_key: dict[str, OwnedArtist] = field(default_factory=dict)
    by_mbid: dict[str, OwnedArtist] = field(default_factory=dict)

    def add(self, artist: OwnedArtist) -> None:
        key = normalise_name(artist.name)
        if key:
            self.by_key.setdefault(key, artist)
        if artist.mbid:
            self.by_mbid.setdefault(artist.mbid.lower(), artist)

    def find(self, name: str, mbid: str | None = None) -> OwnedArtist | None:
        if mbid and mbid.lower() in self.by_mbid:
            return self.by_mbid[mbid.lower()]
        return self.by_key.get(normalise_name(name))

    def __len__(self) -> int:
        return len(self.by_key)


@dataclass
class TasteProfile:
    """The bounded summary that goes into the prompt, plus the ownership index."""

    top_artists: list[tuple[str, int]] = field(default_factory=list)  # (name, plays)
    recent_artists: list[str] = field(default_factory=list)
    starred_artists: list[str] = field(default_factory=list)
    top_albums: list[str] = field(default_factory=list)  # "Title — Artist (year)"
    genres: list[tuple[str, int]] = field(default_factory=list)  # (genre, percent)
    owned: Ownership = field(default_factory=Ownership)
    library_artist_count: int = 0
    built_at: float = 0.0

    @property
    def named_artists(self) -> list[str]:
        """Every artist the profile names, most important first, without repeats."""
        seen: dict[str, str] = {}
        for name in (
            [name for name, _ in self.top_artists] + self.starred_artists + self.recent_artists
        ):
            seen.setdefault(normalise_name(name), name)
        return list(seen.values())


async def _album_list(navidrome: NavidromeClient, list_type: AlbumListType) -> AlbumList:
    """One of the user's lists; empty on a server that lacks it (supysonic has no "highest")."""
    try:
        return await navidrome.album_list(list_type, size=LIST_SIZE)
    except SubsonicFailure:
        return AlbumList()


def _album_label(album: Album) -> str:
    year = f" ({album.year})" if album.year else ""
    return f"{album.name} — {album.artist or 'unknown artist'}{year}"


async def build_profile(navidrome: NavidromeClient) -> TasteProfile:
    frequent, recent, highest, starred, genres, index = await asyncio.gather(
        _album_list(navidrome, "frequent"),
        _album_list(navidrome, "recent"),
        _album_list(navidrome, "highest"),
        navidrome.starred(),
        navidrome.genres(),
        navidrome.artists(),
    )
    profile = TasteProfile(built_at=time.monotonic())
    artists = index.artists
    for artist in artists:
        profile.owned.add(OwnedArtist(artist.id, artist.name, artist.music_brainz_id))
    profile.library_artist_count = len(artists)

    plays: Counter[str] = Counter()
    for rank, album in enumerate(frequent.album):
        if album.artist:
            # Servers without play counts still rank the list: weigh by position.
            plays[album.artist] += album.play_count or max(1, LIST_SIZE - rank)
    profile.top_artists = plays.most_common(TOP_ARTISTS)
    profile.recent_artists = _distinct_artists(recent, RECENT_ARTISTS)
    starred_names = [artist.name for artist in starred.artist]
    starred_names += [album.artist for album in starred.album if album.artist]
    profile.starred_artists = _distinct(starred_names, STARRED_ARTISTS)
    rated = [album for album in highest.album if (album.user_rating or 0) >= 4] or highest.album
    starred_albums = list(starred.album)
    profile.top_albums = _distinct(
        [_album_label(album) for album in rated + starred_albums + frequent.album], TOP_ALBUMS
    )
    if not profile.top_artists and not profile.starred_artists:
        # A library nobody has played yet: its biggest artists stand in for taste.
        biggest = sorted(artists, key=lambda a: -(a.album_count or 0))[:TOP_ARTISTS]
        profile.top_artists = [(artist.name, 0) for artist in biggest]
    weighted = [
        (genre.name, genre.song_count or genre.album_count) for genre in genres if genre.name
    ]
    total = sum(count for _, count in weighted) or 1
    profile.genres = [
        (name, max(1, round(100 * count / total)))
        for name, count in sorted(weighted, key=lambda pair: -pair[1])[:TOP_GENRES]
    ]
    return profile


def _distinct(names: list[str], limit: int) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        key = normalise_name(name) or name
        seen.setdefault(key, name)
        if len(seen) >= limit:
            break
    return list(seen.values())


def _distinct_artists(albums: AlbumList, limit: int) -> list[str]:
    return _distinct([album.artist for album in albums.album if album.artist], limit)


class ProfileCache:
    """Per-user cache of built profiles (keyed by the app user's id)."""

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[int, TasteProfile] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def get(self, user_id: int, navidrome: NavidromeClient) -> TasteProfile:
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            cached = self._entries.get(user_id)
            if cached is not None and time.monotonic() - cached.built_at < self.ttl:
                return cached
            profile = await build_profile(navidrome)
            self._entries[user_id] = profile
            return profile

    def invalidate(self, user_id: int | None = None) -> None:
        if user_id is None:
            self._entries.clear()
        else:
            self._entries.pop(user_id, None)
