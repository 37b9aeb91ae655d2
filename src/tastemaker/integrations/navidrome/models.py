"""Typed views of the Subsonic/OpenSubsonic payloads Tastemaker reads.

The same models accept Navidrome's shapes (OpenSubsonic: ``musicBrainzId``,
``playCount``, ``played``…) and supysonic's classic 1.12 shapes, which differ in
ways the notes (``specs/subsonic-notes.md``) list:

- lists may be absent when empty (both servers) → every list defaults to ``[]``;
- ids may be numbers (supysonic's music folders and folder cover ids) → ids are ``str``;
- ``musicBrainzId`` may be ``""`` (Navidrome) or missing (supysonic) → ``None``;
- times may carry nanoseconds and a ``Z`` (Navidrome) or be naive (supysonic)
  → aware ``datetime`` in UTC.

Every field the servers might leave out is optional, so a missing classic field
never fails a whole page; only the identity of a thing (``id``, name) is required.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel


def _to_str(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _empty_to_none(value: Any) -> Any:
    return None if value == "" else value


def _in_utc_if_naive(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


Id = Annotated[str, BeforeValidator(_to_str)]
OptionalId = Annotated[str | None, BeforeValidator(_to_str)]
Mbid = Annotated[str | None, BeforeValidator(_empty_to_none)]
# pydantic-core reads both servers' times, Go's nanoseconds included (to microseconds).
Timestamp = Annotated[
    datetime | None, BeforeValidator(_empty_to_none), AfterValidator(_in_utc_if_naive)
]


class SubsonicModel(BaseModel):
    """camelCase on the wire, snake_case in Python; unknown fields are ignored."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class ServerInfo(SubsonicModel):
    """The envelope's identity: ``type``/``serverVersion`` only on OpenSubsonic servers."""

    status: str
    version: str
    type: str | None = None
    server_version: str | None = None
    open_subsonic: bool = False


class Extension(SubsonicModel):
    name: str
    versions: list[int] = Field(default_factory=list)


class License(SubsonicModel):
    valid: bool


class MusicFolder(SubsonicModel):
    id: Id
    name: str | None = None


class Artist(SubsonicModel):
    """ArtistID3."""

    id: Id
    name: str
    cover_art: OptionalId = None
    artist_image_url: str | None = None
    album_count: int | None = None
    starred: Timestamp = None
    user_rating: int | None = None
    music_brainz_id: Mbid = None
    sort_name: str | None = None


class ArtistIndexEntry(SubsonicModel):
    name: str
    artist: list[Artist] = Field(default_factory=list)


class ArtistsIndex(SubsonicModel):
    ignored_articles: str = ""
    index: list[ArtistIndexEntry] = Field(default_factory=list)
    last_modified: int | None = None

    @property
    def artists(self) -> list[Artist]:
        return [artist for entry in self.index for artist in entry.artist]


class Song(SubsonicModel):
    """Child (a song); ``duration`` in seconds, ``bit_rate`` in kbps."""

    id: Id
    title: str
    is_dir: bool = False
    parent: OptionalId = None
    album: str | None = None
    artist: str | None = None
    album_id: OptionalId = None
    artist_id: OptionalId = None
    track: int | None = None
    disc_number: int | None = None
    year: int | None = None
    genre: str | None = None
    cover_art: OptionalId = None
    size: int | None = None
    content_type: str | None = None
    suffix: str | None = None
    duration: int | None = None
    bit_rate: int | None = None
    path: str | None = None
    created: Timestamp = None
    starred: Timestamp = None
    user_rating: int | None = None
    average_rating: float | None = None
    play_count: int | None = None
    played: Timestamp = None
    music_brainz_id: Mbid = None
    type: str | None = None


class Album(SubsonicModel):
    """AlbumID3; ``music_brainz_id`` is the *release* id, not the release group."""

    id: Id
    name: str
    artist: str | None = None
    artist_id: OptionalId = None
    cover_art: OptionalId = None
    song_count: int = 0
    duration: int = 0
    created: Timestamp = None
    year: int | None = None
    genre: str | None = None
    play_count: int | None = None
    played: Timestamp = None
    starred: Timestamp = None
    user_rating: int | None = None
    music_brainz_id: Mbid = None
    release_types: list[str] = Field(default_factory=list)


class AlbumWithSongs(Album):
    song: list[Song] = Field(default_factory=list)


class ArtistWithAlbums(Artist):
    album: list[Album] = Field(default_factory=list)


AlbumListType = Literal[
    "newest",
    "recent",
    "frequent",
    "starred",
    "random",
    "highest",
    "alphabeticalByName",
    "alphabeticalByArtist",
    "byGenre",
    "byYear",
]


class AlbumList(SubsonicModel):
    album: list[Album] = Field(default_factory=list)
    # Navidrome's ``x-total-count`` header; classic servers do not say.
    total: int | None = None


class SearchResult(SubsonicModel):
    artist: list[Artist] = Field(default_factory=list)
    album: list[Album] = Field(default_factory=list)
    song: list[Song] = Field(default_factory=list)


class Starred(SubsonicModel):
    artist: list[Artist] = Field(default_factory=list)
    album: list[Album] = Field(default_factory=list)
    song: list[Song] = Field(default_factory=list)


class Genre(SubsonicModel):
    # The genre's name travels as ``value`` (the XML text node of the classic API).
    name: str = Field(validation_alias=AliasChoices("value", "name"))
    song_count: int = 0
    album_count: int = 0


class ScanStatus(SubsonicModel):
    scanning: bool
    count: int | None = None
    folder_count: int | None = None
    last_scan: Timestamp = None
    error: str | None = None


class User(SubsonicModel):
    username: str
    email: str | None = None
    scrobbling_enabled: bool = False
    max_bit_rate: int | None = None
    admin_role: bool = False
    settings_role: bool = False
    download_role: bool = False
    upload_role: bool = False
    playlist_role: bool = False
    cover_art_role: bool = False
    comment_role: bool = False
    podcast_role: bool = False
    stream_role: bool = False
    jukebox_role: bool = False
    share_role: bool = False
    folder: list[int] = Field(default_factory=list)


class Playlist(SubsonicModel):
    id: Id
    name: str
    comment: str | None = None
    owner: str | None = None
    public: bool | None = None
    song_count: int = 0
    duration: int = 0
    created: Timestamp = None
    changed: Timestamp = None
    cover_art: OptionalId = None


class PlaylistWithSongs(Playlist):
    entry: list[Song] = Field(default_factory=list)


class Playlists(SubsonicModel):
    playlist: list[Playlist] = Field(default_factory=list)
