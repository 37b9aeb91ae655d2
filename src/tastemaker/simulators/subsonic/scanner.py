"""Read tagged audio files into :class:`ScannedSong` records, as a media server's scanner does.

Tags are read with mutagen's "easy" interface, which gives the same key names
for Vorbis comments (Ogg, FLAC) and ID3 (MP3), including the MusicBrainz ids
Picard writes. Only files not seen before are read, so a rescan after an import
costs the new album, not the library.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mutagen

from tastemaker.simulators.subsonic.library import ScannedSong

AUDIO_SUFFIXES = {".ogg", ".oga", ".flac", ".mp3", ".opus", ".m4a"}
_CONTENT_TYPES = {
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
}


def _first(tags: Any, key: str) -> str | None:
    values = tags.get(key) if tags is not None else None
    if not values:
        return None
    value = str(values[0]).strip()
    return value or None


def _number(text: str | None) -> int | None:
    if not text:
        return None
    head = text.split("/", 1)[0].strip()[:4]
    return int(head) if head.isdigit() else None


def read_song(file: Path, root: Path) -> ScannedSong | None:
    """The song in ``file``, or ``None`` for files mutagen cannot read (skipped, as servers do)."""
    try:
        audio = mutagen.File(file, easy=True)
    except mutagen.MutagenError:
        return None
    if audio is None:
        return None
    tags = audio.tags
    stat = file.stat()
    relative = file.relative_to(root).as_posix()
    album_artist = _first(tags, "albumartist") or _first(tags, "artist") or "[Unknown Artist]"
    info = audio.info
    return ScannedSong(
        file=file,
        relative_path=relative,
        title=_first(tags, "title") or file.stem,
        album=_first(tags, "album") or file.parent.name,
        album_artist=album_artist,
        artist_sort=_first(tags, "albumartistsort"),
        track=_number(_first(tags, "tracknumber")) or 0,
        disc=_number(_first(tags, "discnumber")) or 1,
        year=_number(_first(tags, "date") or _first(tags, "originaldate")),
        genre=_first(tags, "genre"),
        duration=round(getattr(info, "length", 0) or 0),
        bit_rate=round((getattr(info, "bitrate", 0) or 0) / 1000),
        size=stat.st_size,
        content_type=_CONTENT_TYPES.get(file.suffix.lower())
        or mimetypes.guess_type(file.name)[0]
        or "application/octet-stream",
        created=datetime.fromtimestamp(stat.st_mtime, UTC),
        artist_mbid=_first(tags, "musicbrainz_albumartistid")
        or _first(tags, "musicbrainz_artistid"),
        release_mbid=_first(tags, "musicbrainz_albumid"),
        release_group_mbid=_first(tags, "musicbrainz_releasegroupid"),
        recording_mbid=_first(tags, "musicbrainz_trackid"),
        release_type=_first(tags, "releasetype"),
    )


def scan_new_files(root: Path, known: set[Path]) -> Iterator[ScannedSong]:
    """Every readable audio file under ``root`` not in ``known``, in path order."""
    for file in sorted(root.rglob("*")):
        # ``.part`` files are still being written (see sample_library.write_album).
        if file.suffix.lower() in AUDIO_SUFFIXES and file not in known and file.is_file():
            song = read_song(file, root)
            if song is not None:
                yield song
