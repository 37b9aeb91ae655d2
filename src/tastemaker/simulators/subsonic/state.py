"""Accounts and per-user state: stars, ratings, play counts, last plays and playlists.

Like Navidrome, every annotation belongs to one user, and a scrobble raises the
play count of the song, its album and its artist together. :func:`seed_demo` gives
the demo accounts a listening history (plays, recent plays, stars, ratings) so the
dashboard and the taste profile have something to show on first start.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from tastemaker.simulators.subsonic.library import Library, entity_id

Kind = Literal["song", "album", "artist"]


@dataclass(frozen=True)
class Account:
    username: str
    password: str = field(repr=False)
    admin: bool = False
    email: str = ""


@dataclass
class Annotations:
    """One user's marks on one kind of thing, keyed by id."""

    starred: dict[str, datetime] = field(default_factory=dict)
    rating: dict[str, int] = field(default_factory=dict)
    plays: dict[str, int] = field(default_factory=dict)
    played: dict[str, datetime] = field(default_factory=dict)


@dataclass
class UserState:
    kinds: dict[str, Annotations] = field(default_factory=lambda: defaultdict(Annotations))
    now_playing: tuple[str, datetime] | None = None

    def of(self, kind: str) -> Annotations:
        return self.kinds[kind]


@dataclass
class PlaylistEntry:
    id: str
    name: str
    owner: str
    song_ids: list[str]
    created: datetime
    changed: datetime
    comment: str = ""
    public: bool = False


class State:
    def __init__(self, accounts: list[Account]) -> None:
        self.accounts = {account.username: account for account in accounts}
        self.users: dict[str, UserState] = defaultdict(UserState)
        self.playlists: dict[str, PlaylistEntry] = {}
        self._playlist_counter = 0

    def user(self, username: str) -> UserState:
        return self.users[username]

    def star(self, username: str, kind: Kind, item_id: str, when: datetime | None = None) -> None:
        self.user(username).of(kind).starred.setdefault(item_id, when or datetime.now(UTC))

    def unstar(self, username: str, kind: Kind, item_id: str) -> None:
        self.user(username).of(kind).starred.pop(item_id, None)

    def rate(self, username: str, kind: Kind, item_id: str, rating: int) -> None:
        ratings = self.user(username).of(kind).rating
        if rating == 0:
            ratings.pop(item_id, None)
        else:
            ratings[item_id] = rating

    def scrobble(self, library: Library, username: str, song_id: str, when: datetime) -> None:
        song = library.songs[song_id]
        user = self.user(username)
        for kind, item_id in (
            ("song", song.id),
            ("album", song.album_id),
            ("artist", song.artist_id),
        ):
            marks = user.of(kind)
            marks.plays[item_id] = marks.plays.get(item_id, 0) + 1
            if item_id not in marks.played or marks.played[item_id] < when:
                marks.played[item_id] = when

    def new_playlist(self, owner: str, name: str, song_ids: list[str]) -> PlaylistEntry:
        self._playlist_counter += 1
        now = datetime.now(UTC)
        playlist = PlaylistEntry(
            id=entity_id("pl", f"{owner}:{self._playlist_counter}:{now.isoformat()}"),
            name=name,
            owner=owner,
            song_ids=list(song_ids),
            created=now,
            changed=now,
        )
        self.playlists[playlist.id] = playlist
        return playlist


def seed_demo(state: State, library: Library, usernames: list[str], *, seed: int = 7) -> None:
    """A plausible listening history for each account, bounded whatever the library's size.

    Only the first albums of the library (the demo user's catalogue artists come
    first) are touched, so a 100,000-track library seeds as fast as the sample one.
    """
    now = datetime.now(UTC)
    albums = list(library.albums.values())[:40]
    for offset, username in enumerate(usernames):
        rng = random.Random(seed + offset)
        favourites = rng.sample(albums, min(len(albums), 14))
        for rank, album in enumerate(favourites):
            # Fewer plays further down the list, like a real listening history.
            for song_id in album.song_ids:
                for _ in range(max(1, 20 - rank) if rng.random() < 0.8 else 0):
                    when = now - timedelta(days=rng.uniform(0, 60), minutes=rank)
                    state.scrobble(library, username, song_id, when)
        for album in favourites[:5]:
            state.star(username, "album", album.id, now - timedelta(days=rng.uniform(0, 30)))
            state.rate(username, "album", album.id, rng.randint(3, 5))
        for album in favourites[:3]:
            state.star(
                username, "artist", album.artist_id, now - timedelta(days=rng.uniform(0, 30))
            )
        for album in favourites[:8]:
            song_id = rng.choice(album.song_ids)
            state.star(username, "song", song_id, now - timedelta(days=rng.uniform(0, 30)))
            state.rate(username, "song", song_id, rng.randint(2, 5))
        if favourites:
            state.new_playlist(username, "Demo favourites", [a.song_ids[0] for a in favourites[:6]])
