"""What /api/library answers: artists, albums, songs and pages of them.

Field names scripts rely on are fixed by DESIGN.md (artists ``id, name, mbid``;
albums ``id, title, artist, artist_id, mbid``; songs ``id, title, album_id,
duration``); the rest is extra information a page or a script may use.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from tastemaker.input_types import IsoDateTime, JsonNumber
from tastemaker.integrations.navidrome import models as nd

AlbumOrder = Literal[
    "alphabetical", "newest", "recent", "frequent", "starred", "random", "genre", "highest"
]
ItemKind = Literal["artists", "albums", "songs"]
T = TypeVar("T")


class ArtistOut(BaseModel):
    id: str
    name: str
    mbid: str | None = None
    album_count: int | None = None
    cover_art: str | None = None
    starred: bool = False

    @classmethod
    def of(cls, artist: nd.Artist) -> ArtistOut:
        return cls(
            id=artist.id,
            name=artist.name,
            mbid=artist.music_brainz_id,
            album_count=artist.album_count,
            cover_art=artist.cover_art,
            starred=artist.starred is not None,
        )


class AlbumOut(BaseModel):
    id: str
    title: str
    artist: str | None = None
    artist_id: str | None = None
    mbid: str | None = Field(None, description="The MusicBrainz *release* id, when known")
    year: int | None = None
    genre: str | None = None
    song_count: int = 0
    duration: int = 0
    cover_art: str | None = None
    starred: bool = False
    rating: int | None = None
    play_count: int | None = None
    created: datetime | None = None
    played: datetime | None = None

    @classmethod
    def of(cls, album: nd.Album) -> AlbumOut:
        return cls(
            id=album.id,
            title=album.name,
            artist=album.artist,
            artist_id=album.artist_id,
            mbid=album.music_brainz_id,
            year=album.year,
            genre=album.genre,
            song_count=album.song_count,
            duration=album.duration,
            cover_art=album.cover_art,
            starred=album.starred is not None,
            rating=album.user_rating,
            play_count=album.play_count,
            created=album.created,
            played=album.played,
        )


class SongOut(BaseModel):
    id: str
    title: str
    album_id: str | None = None
    duration: int | None = Field(None, description="Seconds")
    album: str | None = None
    artist: str | None = None
    artist_id: str | None = None
    track: int | None = None
    disc: int | None = None
    year: int | None = None
    cover_art: str | None = None
    starred: bool = False
    rating: int | None = None
    play_count: int | None = None
    content_type: str | None = None

    @classmethod
    def of(cls, song: nd.Song) -> SongOut:
        return cls(
            id=song.id,
            title=song.title,
            album_id=song.album_id or song.parent,
            duration=song.duration,
            album=song.album,
            artist=song.artist,
            artist_id=song.artist_id,
            track=song.track,
            disc=song.disc_number,
            year=song.year,
            cover_art=song.cover_art,
            starred=song.starred is not None,
            rating=song.user_rating,
            play_count=song.play_count,
            content_type=song.content_type,
        )


class ArtistDetail(ArtistOut):
    albums: list[AlbumOut] = Field(default_factory=list)


class AlbumDetail(AlbumOut):
    songs: list[SongOut] = Field(default_factory=list)


class Page(BaseModel, Generic[T]):
    """A page of a list. ``total`` is ``null`` when the server cannot say (search)."""

    items: list[T]
    total: int | None
    offset: int
    limit: int


class PlaylistOut(BaseModel):
    id: str
    name: str
    song_count: int = 0
    duration: int = Field(0, description="Seconds")
    owner: str | None = None
    comment: str | None = None
    public: bool = False
    cover_art: str | None = None
    changed: datetime | None = None
    discoveries: bool = Field(
        False, description="True for the playlist Tastemaker fills with your requests"
    )

    @classmethod
    def of(cls, playlist: nd.Playlist) -> PlaylistOut:
        return cls(
            id=playlist.id,
            name=playlist.name,
            song_count=playlist.song_count,
            duration=playlist.duration,
            owner=playlist.owner,
            comment=playlist.comment or None,
            public=bool(playlist.public),
            cover_art=playlist.cover_art,
            changed=playlist.changed or playlist.created,
        )


class PlaylistDetail(PlaylistOut):
    songs: list[SongOut] = Field(default_factory=list)


class GenreOut(BaseModel):
    name: str
    album_count: int = 0
    song_count: int = 0


class SearchOut(BaseModel):
    artists: list[ArtistOut]
    albums: list[AlbumOut]
    songs: list[SongOut]


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Annotated[int, Field(ge=0, le=5), JsonNumber] = Field(
        description="1–5 stars; 0 clears the rating"
    )


class ScrobbleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    submission: StrictBool = Field(
        True, description="true: a finished play; false: 'now playing' only"
    )
    played_at: IsoDateTime | None = Field(None, description="When the play started (default: now)")
