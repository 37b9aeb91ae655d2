"""The sample music library: real, playable, tagged audio files made in pure Python.

The demo and the tests need a library that a Subsonic server (supysonic, or the
project's own simulator) can scan and a browser can play, without sox, ffmpeg or
any Debian package. So the audio is synthesised with numpy (a short melody per
track, seeded by its MusicBrainz id so every run writes the same notes), encoded
to Ogg Vorbis by ``soundfile`` (libsndfile ships in its wheel), tagged with
``mutagen`` the way MusicBrainz Picard tags files, and each album gets a
``cover.jpg`` drawn with Pillow.

Layout: ``<root>/<Artist>/<Year> - <Album>/<NN> - <Title>.ogg`` plus ``cover.jpg``.

Also here: :func:`large_library`, a metadata-only world of about 100,000 tracks
(catalogue dataclasses, no files) for the simulator's benchmark mode.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import re
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile
from mutagen.oggvorbis import OggVorbis
from PIL import Image, ImageDraw, ImageFont

from tastemaker.simulators.catalogue import GENRES, Album, Artist, Track, owned_artists

# Short mono clips at a modest rate keep the whole library near 8 MB and the
# encoding under a few seconds; Chromium plays Vorbis at any of these rates.
DEFAULT_CLIP_SECONDS = 20.0
DEFAULT_SAMPLE_RATE = 16000
COVER_SIZE = 500
AUDIO_SUFFIX = ".ogg"
COVER_NAME = "cover.jpg"

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# A major pentatonic scale in semitones: any sequence of these notes sounds calm.
_PENTATONIC = (0, 2, 4, 7, 9, 12, 14, 16)
_GENRE_TEMPO = {genre: 72 + (index * 11) % 64 for index, genre in enumerate(GENRES)}


@dataclass(frozen=True)
class WrittenLibrary:
    """What :func:`write_sample_library` wrote, for fixtures and the demo to report."""

    root: Path
    album_dirs: tuple[Path, ...]
    track_count: int


def safe_name(name: str) -> str:
    """A file or folder name that is valid on every common file system."""
    return _UNSAFE.sub("_", name).strip(" .") or "_"


def album_directory(root: Path, album: Album) -> Path:
    return root / safe_name(album.artist_name) / safe_name(f"{album.year} - {album.title}")


def track_filename(track: Track) -> str:
    return safe_name(f"{track.number:02d} - {track.title}") + AUDIO_SUFFIX


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def synthesise_track(
    album: Album,
    track: Track,
    seconds: float = DEFAULT_CLIP_SECONDS,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
) -> np.ndarray:
    """A mono float32 melody: the album picks the key and the genre the tempo."""
    rng = np.random.default_rng(_seed(track.mbid))
    total = int(seconds * sample_rate)
    out = np.zeros(total, dtype=np.float32)
    root_hz = 110.0 * 2 ** ((_seed(album.mbid) % 12) / 12)
    beat = int(sample_rate * 60 / _GENRE_TEMPO.get(album.genre, 96))
    envelope = np.exp(-np.arange(beat) / (beat / 3)).astype(np.float32)
    phase = (np.arange(beat) / sample_rate).astype(np.float32)
    for start in range(0, total, beat):
        length = min(beat, total - start)
        step = int(rng.choice(_PENTATONIC))
        freq = root_hz * 2 ** ((step + 12) / 12)
        # A fundamental plus a softer octave gives a bell-like tone rather than a beep.
        tone = np.sin(2 * np.pi * freq * phase[:length]) + 0.3 * np.sin(
            4 * np.pi * freq * phase[:length]
        )
        bass = 0.5 * np.sin(2 * np.pi * root_hz * phase[:length])
        out[start : start + length] += (0.25 * tone + 0.15 * bass) * envelope[:length]
    fade = min(total // 4, sample_rate // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        out[:fade] *= ramp
        out[-fade:] *= ramp[::-1]
    return out


def encode_ogg(samples: np.ndarray, sample_rate: int = DEFAULT_SAMPLE_RATE) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, sample_rate, format="OGG", subtype="VORBIS")
    return buffer.getvalue()


def _tag(path: Path, album: Album, track: Track) -> None:
    # Vorbis comment names as MusicBrainz Picard writes them; Navidrome and
    # supysonic both read these. MUSICBRAINZ_TRACKID is the *recording* id.
    audio = OggVorbis(path)  # type: ignore[no-untyped-call]
    tags: Any = audio.tags  # mutagen's stubs type the tags of a new file as None
    tags["title"] = track.title
    tags["artist"] = album.artist_name
    tags["album"] = album.title
    tags["albumartist"] = album.artist_name
    tags["tracknumber"] = str(track.number)
    tags["tracktotal"] = str(len(album.tracks))
    tags["discnumber"] = "1"
    tags["date"] = str(album.year)
    tags["genre"] = album.genre
    tags["releasetype"] = album.album_type.lower()
    tags["musicbrainz_artistid"] = album.artist_mbid
    tags["musicbrainz_albumartistid"] = album.artist_mbid
    tags["musicbrainz_releasegroupid"] = album.mbid
    tags["musicbrainz_albumid"] = album.release_mbid
    tags["musicbrainz_trackid"] = track.mbid
    audio.save()


def album_colour(album: Album) -> tuple[int, int, int]:
    """A saturated colour of the album's own, the same on every run."""
    hue = (_seed(album.mbid) % 360) / 360
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.65, 0.85)
    return round(red * 255), round(green * 255), round(blue * 255)


def cover_image(album: Album, size: int = COVER_SIZE) -> bytes:
    """A JPEG cover: a diagonal gradient in the album's colour, a disc and the title."""
    base = np.array(album_colour(album), dtype=np.float32)
    ramp = np.add.outer(np.arange(size), np.arange(size)) / (2 * size)
    pixels = base * (1.0 - 0.55 * ramp[..., None])
    image = Image.fromarray(pixels.clip(0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    margin = size // 5
    draw.ellipse(
        (margin, margin, size - margin, size - margin), outline=(255, 255, 255), width=size // 60
    )
    font = ImageFont.load_default(size=max(12, size // 14))
    draw.text((size // 20, size - size // 6), album.title, fill=(255, 255, 255), font=font)
    draw.text((size // 20, size // 20), album.artist_name, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _write_track(
    directory: Path, album: Album, track: Track, seconds: float, sample_rate: int
) -> Path:
    path = directory / track_filename(track)
    partial = path.with_name(path.name + ".part")
    samples = synthesise_track(album, track, seconds, sample_rate)
    soundfile.write(partial, samples, sample_rate, format="OGG", subtype="VORBIS")
    _tag(partial, album, track)
    partial.replace(path)
    return path


def write_album(
    root: Path,
    album: Album,
    *,
    clip_seconds: float = DEFAULT_CLIP_SECONDS,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    executor: ThreadPoolExecutor | None = None,
) -> Path:
    """Write one album (tracks and cover) under ``root``; returns its directory.

    The Lidarr simulator calls this when it "imports" a download. Files are written
    under a temporary name and renamed, so a concurrent scan never reads half a file.
    """
    directory = album_directory(root, album)
    directory.mkdir(parents=True, exist_ok=True)
    cover = directory / COVER_NAME
    partial_cover = directory / (COVER_NAME + ".part")
    partial_cover.write_bytes(cover_image(album))
    partial_cover.replace(cover)

    def one(track: Track) -> Path:
        return _write_track(directory, album, track, clip_seconds, sample_rate)

    # libsndfile's encoder releases the GIL (cffi), so threads do run in parallel.
    if executor is None:
        with ThreadPoolExecutor() as pool:
            list(pool.map(one, album.tracks))
    else:
        list(executor.map(one, album.tracks))
    return directory


def write_sample_library(
    root: Path,
    artists: Sequence[Artist] | None = None,
    *,
    clip_seconds: float = DEFAULT_CLIP_SECONDS,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
) -> WrittenLibrary:
    """Write the demo user's library (``owned_artists()`` unless given) under ``root``."""
    chosen = owned_artists() if artists is None else artists
    albums = [album for artist in chosen for album in artist.albums]
    with ThreadPoolExecutor() as pool:
        dirs = tuple(
            write_album(
                root, album, clip_seconds=clip_seconds, sample_rate=sample_rate, executor=pool
            )
            for album in albums
        )
    return WrittenLibrary(
        root=root, album_dirs=dirs, track_count=sum(len(album.tracks) for album in albums)
    )


_LARGE_NAMESPACE = uuid.UUID("0b1e55ed-1a7e-4c1b-9e5a-b16b16b16b16")
_SYLLABLES = (
    "ka", "lo", "mi", "ra", "ven", "tor", "sel", "an", "dre", "fu", "gal", "ish", "nor",
    "pe", "qui", "sta", "un", "vel", "wyn", "zo",
)  # fmt: skip
_WORDS = (
    "Night", "River", "Glass", "Echo", "Signal", "Harbor", "Static", "Orchid", "Velvet",
    "Ember", "Summit", "Drift", "Falcon", "Marble", "Lantern", "Canyon", "Mirage", "Pulse",
    "Quartz", "Tundra", "Willow", "Zenith", "Atlas", "Bloom", "Cinder", "Delta",
)  # fmt: skip


def _large_mbid(*parts: str) -> str:
    return str(uuid.uuid5(_LARGE_NAMESPACE, ":".join(parts)))


def _words(index: int, count: int) -> str:
    # Mixed-radix over the word list: distinct, searchable and deterministic.
    picked = []
    for _ in range(count):
        index, rest = divmod(index * 7 + 3, len(_WORDS))
        picked.append(_WORDS[rest])
    return " ".join(picked)


def large_library(
    track_count: int = 100_000, tracks_per_album: int = 10, albums_per_artist: int = 4
) -> tuple[Artist, ...]:
    """A metadata-only library of ``track_count`` tracks, for the simulator's benchmark mode.

    Built from the same dataclasses as the catalogue, so the simulator loads it the
    same way; the demo's owned artists come first, so their MusicBrainz ids still match.
    """
    artists: list[Artist] = list(owned_artists())
    remaining = track_count - sum(len(al.tracks) for ar in artists for al in ar.albums)
    number = 0
    while remaining > 0:
        number += 1
        name = "".join(_SYLLABLES[(number * k) % len(_SYLLABLES)] for k in (3, 7, 11)).title()
        name = f"{name} {number}"
        artist_mbid = _large_mbid("artist", name)
        genre = GENRES[number % len(GENRES)]
        albums: list[Album] = []
        for album_index in range(albums_per_artist):
            if remaining <= 0:
                break
            count = min(tracks_per_album, remaining)
            remaining -= count
            title = f"{_words(number * albums_per_artist + album_index, 2)} {album_index + 1}"
            tracks = tuple(
                Track(
                    title=_words(number * 1000 + album_index * 50 + position, 2),
                    number=position,
                    duration=150 + (number + position * 17) % 180,
                    mbid=_large_mbid("recording", name, title, str(position)),
                )
                for position in range(1, count + 1)
            )
            albums.append(
                Album(
                    title=title,
                    mbid=_large_mbid("release-group", name, title),
                    release_mbid=_large_mbid("release", name, title),
                    year=1960 + (number + album_index * 3) % 66,
                    album_type="Album",
                    genre=genre,
                    artist_name=name,
                    artist_mbid=artist_mbid,
                    tracks=tracks,
                )
            )
        artists.append(
            Artist(
                name=name,
                sort_name=name,
                mbid=artist_mbid,
                genres=(genre,),
                city="Nowhere",
                formed=1960 + number % 60,
                albums=tuple(albums),
            )
        )
    return tuple(artists)


def all_albums(artists: Iterable[Artist]) -> list[Album]:
    return [album for artist in artists for album in artist.albums]
