"""The simulator's music library: songs, albums, artists and the indexes that answer fast.

Two ways in, one shape out:

- :meth:`Library.from_catalogue` takes catalogue dataclasses (metadata-only mode,
  e.g. the 100,000-track benchmark library from ``sample_library.large_library``);
- :meth:`Library.from_directory` scans tagged files (see ``scanner.py``), and
  :meth:`Library.rescan` later picks up album folders written since (the Lidarr
  simulator's imports).

Every list a request can ask for (alphabetical, newest, by year, by genre, search)
is precomputed in :meth:`Library.rebuild`, once per load or scan, so a request
slices a list instead of walking the whole library.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tastemaker.simulators.catalogue import Album, Artist
from tastemaker.simulators.subsonic.search import WordIndex, fold

IGNORED_ARTICLES = ("The", "El", "La", "Los", "Las", "Le", "Les", "Os", "As", "O", "A")


def entity_id(kind: str, key: str) -> str:
    """A stable 22-character id, like Navidrome's, derived from what identifies the thing."""
    return hashlib.md5(f"{kind}:{key}".encode()).hexdigest()[:22]  # noqa: S324 (an id, not security)


@dataclass
class SongEntry:
    id: str
    title: str
    album_id: str
    artist_id: str
    track: int
    disc: int
    duration: int
    bit_rate: int
    size: int
    suffix: str
    content_type: str
    path: str  # relative to the library root
    mbid: str | None
    created: datetime
    file: Path | None = None  # None in metadata-only mode


@dataclass
class AlbumEntry:
    id: str
    name: str
    artist_id: str
    artist_name: str
    year: int | None
    genre: str | None
    mbid: str | None  # the release
    release_group_mbid: str | None
    release_type: str | None
    created: datetime
    song_ids: list[str] = field(default_factory=list)
    duration: int = 0
    directory: Path | None = None
    source: Album | None = None  # the catalogue album, to draw covers in metadata-only mode

    @property
    def cover_art(self) -> str:
        return f"al-{self.id}_0"


@dataclass
class ArtistEntry:
    id: str
    name: str
    sort_name: str
    mbid: str | None
    album_ids: list[str] = field(default_factory=list)

    @property
    def cover_art(self) -> str:
        return f"ar-{self.id}_0"


def index_letter(sort_name: str) -> str:
    words = sort_name.split(" ", 1)
    if len(words) == 2 and words[0] in IGNORED_ARTICLES:
        sort_name = words[1]
    first = fold(sort_name[:1]).upper()
    return first if first.isalpha() else "#"


class Library:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.songs: dict[str, SongEntry] = {}
        self.albums: dict[str, AlbumEntry] = {}
        self.artists: dict[str, ArtistEntry] = {}
        self.last_scan: datetime = datetime.now(UTC)
        self.rebuild()

    @property
    def metadata_only(self) -> bool:
        return self.root is None

    # --- building ---------------------------------------------------------------

    @classmethod
    def from_catalogue(cls, artists: Iterable[Artist], *, now: datetime | None = None) -> Library:
        library = cls(root=None)
        library.add_catalogue_albums(
            (album for artist in artists for album in artist.albums), now=now
        )
        return library

    @classmethod
    def from_directory(cls, root: Path) -> Library:
        from tastemaker.simulators.subsonic.scanner import scan_new_files

        library = cls(root=root)
        library.add_scanned(scan_new_files(root, known=set()))
        return library

    def rescan(self) -> int:
        """Add album folders written since the last scan; returns how many songs were new."""
        from tastemaker.simulators.subsonic.scanner import scan_new_files

        if self.root is None:
            self.last_scan = datetime.now(UTC)
            return 0
        known = {song.file for song in self.songs.values() if song.file is not None}
        return self.add_scanned(scan_new_files(self.root, known=known))

    def add_catalogue_albums(self, albums: Iterable[Album], *, now: datetime | None = None) -> int:
        """Metadata-only albums; the first is the newest, an hour apart, for "newest" lists."""
        base = now or datetime.now(UTC)
        added = 0
        for position, album in enumerate(albums):
            created = base - timedelta(hours=position)
            artist = self._artist(album.artist_name, album.artist_mbid, None)
            entry = self._album(
                artist,
                album.title,
                album.year,
                album.genre,
                album.release_mbid,
                album.mbid,
                album.album_type.lower(),
                created,
                None,
            )
            entry.source = album
            for track in album.tracks:
                song_id = entity_id("mf", f"{album.release_mbid}:{track.mbid}")
                if song_id in self.songs:
                    continue
                self.songs[song_id] = SongEntry(
                    id=song_id,
                    title=track.title,
                    album_id=entry.id,
                    artist_id=artist.id,
                    track=track.number,
                    disc=1,
                    duration=track.duration,
                    bit_rate=192,
                    size=track.duration * 24_000,
                    suffix="ogg",
                    content_type="audio/ogg",
                    path=f"{album.artist_name}/{album.title}/{track.number:02d}.ogg",
                    mbid=track.mbid,
                    created=created,
                )
                entry.song_ids.append(song_id)
                entry.duration += track.duration
                added += 1
        self.rebuild()
        return added

    def add_scanned(self, scanned: Iterable[ScannedSong]) -> int:
        added = 0
        for item in scanned:
            artist = self._artist(item.album_artist, item.artist_mbid, item.artist_sort)
            album = self._album(
                artist,
                item.album,
                item.year,
                item.genre,
                item.release_mbid,
                item.release_group_mbid,
                item.release_type,
                item.created,
                item.file.parent,
            )
            song_id = entity_id("mf", item.relative_path)
            self.songs[song_id] = SongEntry(
                id=song_id,
                title=item.title,
                album_id=album.id,
                artist_id=artist.id,
                track=item.track,
                disc=item.disc,
                duration=item.duration,
                bit_rate=item.bit_rate,
                size=item.size,
                suffix=item.file.suffix.lstrip(".").lower(),
                content_type=item.content_type,
                path=item.relative_path,
                mbid=item.recording_mbid,
                created=item.created,
                file=item.file,
            )
            album.song_ids.append(song_id)
            album.duration += item.duration
            added += 1
        self.last_scan = datetime.now(UTC)
        if added:
            self.rebuild()
        return added

    def _artist(self, name: str, mbid: str | None, sort_name: str | None) -> ArtistEntry:
        artist_id = entity_id("ar", mbid or fold(name))
        artist = self.artists.get(artist_id)
        if artist is None:
            artist = ArtistEntry(artist_id, name, sort_name or name, mbid)
            self.artists[artist_id] = artist
        return artist

    def _album(
        self,
        artist: ArtistEntry,
        name: str,
        year: int | None,
        genre: str | None,
        mbid: str | None,
        release_group_mbid: str | None,
        release_type: str | None,
        created: datetime,
        directory: Path | None,
    ) -> AlbumEntry:
        album_id = entity_id("al", mbid or f"{artist.id}:{fold(name)}")
        album = self.albums.get(album_id)
        if album is None:
            album = AlbumEntry(
                album_id,
                name,
                artist.id,
                artist.name,
                year,
                genre,
                mbid,
                release_group_mbid,
                release_type,
                created,
                directory=directory,
            )
            self.albums[album_id] = album
            artist.album_ids.append(album_id)
        return album

    # --- indexes ----------------------------------------------------------------

    def rebuild(self) -> None:
        for album in self.albums.values():
            album.song_ids.sort(
                key=lambda song_id: (self.songs[song_id].disc, self.songs[song_id].track)
            )
        for artist in self.artists.values():
            artist.album_ids.sort(
                key=lambda album_id: (self.albums[album_id].year or 0, self.albums[album_id].name)
            )
        albums = list(self.albums.values())
        self.artists_sorted = sorted(
            self.artists.values(), key=lambda a: fold(_strip_article(a.sort_name))
        )
        self.albums_by_name = sorted(albums, key=lambda a: fold(a.name))
        self.albums_by_artist = sorted(
            albums,
            key=lambda a: (fold(_strip_article(self.artists[a.artist_id].sort_name)), fold(a.name)),
        )
        self.albums_newest = sorted(albums, key=lambda a: a.created, reverse=True)
        self.albums_by_year = sorted(albums, key=lambda a: (a.year or 0, fold(a.name)))
        self._years = [a.year or 0 for a in self.albums_by_year]
        by_genre: dict[str, list[AlbumEntry]] = defaultdict(list)
        genre_songs: dict[str, int] = defaultdict(int)
        for album in self.albums_by_name:
            if album.genre:
                by_genre[album.genre].append(album)
                genre_songs[album.genre] += len(album.song_ids)
        self.albums_by_genre = dict(by_genre)
        self.genres = sorted(
            (name, genre_songs[name], len(items)) for name, items in by_genre.items()
        )
        self.artist_index: dict[str, list[ArtistEntry]] = defaultdict(list)
        for artist in self.artists_sorted:
            self.artist_index[index_letter(artist.sort_name)].append(artist)
        songs_sorted = sorted(self.songs.values(), key=lambda s: (fold(s.title), s.id))
        self.songs_sorted = songs_sorted
        self.artist_search = WordIndex([a.name for a in self.artists_sorted])
        self.album_search = WordIndex([f"{a.name} {a.artist_name}" for a in self.albums_by_name])
        self.song_search = WordIndex(
            [
                f"{s.title} {self.albums[s.album_id].name} {self.albums[s.album_id].artist_name}"
                for s in songs_sorted
            ]
        )
        self.by_mbid: dict[str, list[str]] = defaultdict(list)
        for artist in self.artists_sorted:
            if artist.mbid:
                self.by_mbid[artist.mbid].append(artist.id)
        for album in self.albums_by_name:
            for mbid in {album.mbid, album.release_group_mbid} - {None}:
                self.by_mbid[str(mbid)].append(album.id)
        for song in songs_sorted:
            if song.mbid:
                self.by_mbid[song.mbid].append(song.id)

    def albums_in_years(self, from_year: int, to_year: int) -> list[AlbumEntry]:
        low, high = sorted((from_year, to_year))
        found = self.albums_by_year[bisect_left(self._years, low) : bisect_right(self._years, high)]
        return found if from_year <= to_year else found[::-1]

    def kind_of(self, item_id: str) -> str | None:
        if item_id in self.songs:
            return "song"
        if item_id in self.albums:
            return "album"
        if item_id in self.artists:
            return "artist"
        return None


def _strip_article(name: str) -> str:
    words = name.split(" ", 1)
    return words[1] if len(words) == 2 and words[0] in IGNORED_ARTICLES else name


@dataclass(frozen=True)
class ScannedSong:
    """What the scanner read from one file's tags (see ``scanner.py``)."""

    file: Path
    relative_path: str
    title: str
    album: str
    album_artist: str
    artist_sort: str | None
    track: int
    disc: int
    year: int | None
    genre: str | None
    duration: int
    bit_rate: int
    size: int
    content_type: str
    created: datetime
    artist_mbid: str | None
    release_mbid: str | None
    release_group_mbid: str | None
    recording_mbid: str | None
    release_type: str | None
