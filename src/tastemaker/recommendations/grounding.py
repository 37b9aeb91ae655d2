"""Grounding: resolve what the model proposed to a real MusicBrainz artist (and release group).

Everything goes through Lidarr's lookup, which asks MusicBrainz (via Lidarr's
metadata server). A proposal is kept only when a looked-up artist has the same
name after :func:`normalise_name`; an album also has to match by title and belong
to that artist, which doubles as the tie-breaker between same-name artists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tastemaker.integrations.lidarr import LidarrClient
from tastemaker.integrations.lidarr.models import Album, Artist

from .matching import same_name
from .proposals import ProposedItem


@dataclass
class Grounded:
    kind: str  # artist, album
    artist: Artist
    album: Album | None
    notes: list[str] = field(default_factory=list)  # e.g. "album_not_found", "release_type"

    @property
    def artist_mbid(self) -> str:
        return self.artist.foreign_artist_id or ""

    @property
    def genres(self) -> list[str]:
        genres = list(self.album.genres if self.album else []) + list(self.artist.genres)
        seen: dict[str, str] = {}
        for genre in genres:
            seen.setdefault(genre.casefold(), genre)
        return list(seen.values())[:4]

    @property
    def year(self) -> int | None:
        return self.album.release_date.year if self.album and self.album.release_date else None

    def image_url(self) -> str | None:
        images = (self.album.images if self.album else []) + self.artist.images
        for image in images:
            if image.remote_url and image.cover_type in ("cover", "poster", "headshot", None):
                return image.remote_url
        return self.album.remote_cover if self.album else self.artist.remote_poster

    def lookup_data(self) -> dict[str, Any]:
        return {
            "artist": {
                "name": self.artist.artist_name,
                "mbid": self.artist.foreign_artist_id,
                "type": self.artist.artist_type,
                "disambiguation": self.artist.disambiguation,
                "overview": self.artist.overview,
                "genres": self.artist.genres,
            },
            "album": (
                {
                    "title": self.album.title,
                    "mbid": self.album.foreign_album_id,
                    "type": self.album.album_type,
                    "secondary_types": self.album.secondary_types,
                }
                if self.album
                else None
            ),
        }


def release_type(album: Album) -> str:
    """Album → one of the preference's release types."""
    secondary = {kind.casefold() for kind in album.secondary_types}
    if "live" in secondary:
        return "live"
    if "compilation" in secondary:
        return "compilation"
    return {"ep": "ep", "single": "single"}.get((album.album_type or "").casefold(), "album")


class Unresolved(Exception):
    """The proposal does not resolve to one real artist; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Grounder:
    def __init__(
        self,
        lidarr: LidarrClient,
        *,
        kinds: str,
        release_types: Sequence[str],
        taste_genres: Sequence[str] = (),
    ) -> None:
        self.lidarr = lidarr
        self.kinds = kinds
        self.release_types = set(release_types) or {"album"}
        self.taste_genres = {genre.casefold() for genre in taste_genres}

    async def ground(self, item: ProposedItem, mbid: str | None = None) -> Grounded:
        """``mbid``: the artist's MusicBrainz id when a listening source gave it (a
        candidate): looked up directly, so a same-name artist cannot be picked instead."""
        found: list[Artist] = []
        if mbid:
            found = [
                a
                for a in await self.lidarr.lookup_artists(f"lidarr:{mbid}")
                if a.foreign_artist_id == mbid
            ]
        if not found:
            found = await self.lidarr.lookup_artists(item.artist)
        candidates = [
            a for a in found if a.foreign_artist_id and same_name(a.artist_name or "", item.artist)
        ]
        if not candidates:
            raise Unresolved("unresolved")
        notes: list[str] = []
        album: Album | None = None
        artist: Artist | None = None
        if item.album and self.kinds != "artists":
            album = await self._find_album(item.album, item.artist, candidates)
            if album is None:
                notes.append("album_not_found")
            else:
                artist = next(
                    a for a in candidates if a.foreign_artist_id == _album_artist_id(album)
                )
        if artist is None:
            artist = self._pick(candidates)
        if album is not None and release_type(album) not in self.release_types:
            notes.append("release_type")
            album = None
        if album is None and self.kinds == "albums":
            album = await self._main_album(artist)
            if album is None:
                raise Unresolved("no_album")
        if self.kinds == "artists":
            album = None
        return Grounded("album" if album else "artist", artist, album, notes)

    def _pick(self, candidates: list[Artist]) -> Artist:
        ids = {a.foreign_artist_id for a in candidates}
        if len(ids) == 1:
            return candidates[0]
        # Same-name artists: only one that plays the listener's genres is a safe pick.
        fitting = [a for a in candidates if {g.casefold() for g in a.genres} & self.taste_genres]
        if len({a.foreign_artist_id for a in fitting}) == 1:
            return fitting[0]
        raise Unresolved("ambiguous")

    async def _find_album(
        self, title: str, artist_name: str, candidates: list[Artist]
    ) -> Album | None:
        ids = {a.foreign_artist_id for a in candidates}
        for term in (f"{title} {artist_name}", title):
            for album in await self.lidarr.lookup_albums(term):
                if (
                    album.foreign_album_id
                    and same_name(album.title or "", title)
                    and _album_artist_id(album) in ids
                ):
                    return album
        return None

    async def _main_album(self, artist: Artist) -> Album | None:
        """The artist's most recent release of an allowed type (for "albums only")."""
        found = await self.lidarr.lookup_albums(artist.artist_name or "")
        mine = [
            album
            for album in found
            if album.foreign_album_id
            and _album_artist_id(album) == artist.foreign_artist_id
            and release_type(album) in self.release_types
        ]
        mine.sort(
            key=lambda a: (
                release_type(a) != "album",
                -(a.release_date.year if a.release_date else 0),
            )
        )
        return mine[0] if mine else None


def _album_artist_id(album: Album) -> str | None:
    return album.artist.foreign_artist_id if album.artist else None
