"""The simulators' shared world: a deterministic catalogue of plausible artists and albums.

The Lidarr simulator looks these up and "downloads" them, the Ollama simulator
recommends them, and the sample library (what the demo user owns, served by the
Subsonic simulator) is a subset of them. Everything, including MusicBrainz ids, is
derived from a fixed seed, so every run and every machine sees the same world.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from functools import cache

_NAMESPACE = uuid.UUID("6f1c1f3e-8a51-4d5e-9d0a-7a3e5b1c2d40")

GENRES = (
    "Indie Rock",
    "Jazz",
    "Electronic",
    "Folk",
    "Soul",
    "Post-Rock",
    "Ambient",
    "Hip-Hop",
    "Shoegaze",
    "Krautrock",
    "Afrobeat",
    "Dream Pop",
)
_ADJECTIVES = (
    "Copper", "Velvet", "Silent", "Golden", "Hollow", "Northern", "Paper", "Electric",
    "Midnight", "Crystal", "Wandering", "Amber", "Distant", "Neon", "Quiet", "Scarlet",
    "Glass", "Wild", "Lunar", "Salt",
)  # fmt: skip
_NOUNS = (
    "Lanterns", "Harbors", "Orchards", "Satellites", "Tides", "Foxes", "Cathedrals",
    "Rivers", "Pilots", "Gardens", "Engines", "Ghosts", "Mirrors", "Horses", "Comets",
    "Islands", "Wolves", "Signals", "Meadows", "Embers",
)  # fmt: skip
_FIRST = (
    "Mira", "Jonah", "Ada", "Theo", "Lena", "Oskar", "Noor", "Elio", "Iris", "Malik",
    "Sana", "Felix", "Yara", "Hugo", "Ines", "Tomas", "Zora", "Emil", "Leila", "Rafael",
)  # fmt: skip
_LAST = (
    "Castellan", "Okafor", "Lindqvist", "Moreau", "Varga", "Achterberg", "Delacroix",
    "Nakamura", "Ferreira", "Halloran", "Kowalski", "Abernathy", "Quintero", "Sorensen",
    "Whitlock", "Ibarra", "Novak", "Petrov", "Valli", "Esposito",
)  # fmt: skip
_TITLE_WORDS = (
    "Summer", "Static", "Lights", "Weather", "Home", "Signals", "Water", "Dust", "Gold",
    "Rooms", "Night", "Morning", "Echoes", "Fields", "Stone", "Fire", "Letters", "Maps",
    "Radio", "Glass", "Horizon", "Paper", "Silver", "Motion", "Tides", "Shadows",
)  # fmt: skip
_CITIES = (
    "Glasgow", "Lisbon", "Montréal", "Osaka", "Bergen", "Lagos", "Melbourne", "Detroit",
    "Leipzig", "Valparaíso", "Reykjavík", "Marseille",
)  # fmt: skip
_ALBUM_TYPES = ("Album", "Album", "Album", "Album", "EP", "Single", "Live", "Compilation")

ARTIST_COUNT = 60
OWNED_ARTIST_COUNT = 12


def _mbid(kind: str, *parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, ":".join((kind, *parts))))


@dataclass(frozen=True)
class Track:
    title: str
    number: int
    duration: int  # seconds
    mbid: str


@dataclass(frozen=True)
class Album:
    title: str
    mbid: str  # MusicBrainz release group id (what Lidarr calls foreignAlbumId)
    release_mbid: str
    year: int
    album_type: str  # Album, EP, Single, Live, Compilation (Lidarr's albumType)
    genre: str
    artist_name: str
    artist_mbid: str
    tracks: tuple[Track, ...]

    @property
    def duration(self) -> int:
        return sum(track.duration for track in self.tracks)


@dataclass(frozen=True)
class Artist:
    name: str
    sort_name: str
    mbid: str
    genres: tuple[str, ...]
    city: str
    formed: int
    albums: tuple[Album, ...] = field(default=())
    similar: tuple[str, ...] = field(default=())  # names of similar catalogue artists

    @property
    def overview(self) -> str:
        return f"{self.name} is a {self.genres[0].lower()} act from {self.city}, formed in {self.formed}."


def _artist_names(rng: random.Random) -> list[str]:
    names: list[str] = []
    while len(names) < ARTIST_COUNT:
        if rng.random() < 0.5:
            name = f"The {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        else:
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        if name not in names:
            names.append(name)
    return names


def _sort_name(name: str) -> str:
    if name.startswith("The "):
        return f"{name[4:]}, The"
    first, _, last = name.partition(" ")
    return f"{last}, {first}" if last else name


def _title(rng: random.Random, words: int) -> str:
    return " ".join(rng.sample(_TITLE_WORDS, words))


@cache
def catalogue() -> tuple[Artist, ...]:
    """Every artist of the simulated world, owned ones first."""
    rng = random.Random(1969)
    names = _artist_names(rng)
    drafts: list[tuple[str, tuple[str, ...], str, int, tuple[Album, ...]]] = []
    for index, name in enumerate(names):
        genre = GENRES[index % len(GENRES)]
        second = rng.choice(GENRES)
        genres = (genre,) if second == genre else (genre, second)
        artist_mbid = _mbid("artist", name)
        formed = rng.randint(1968, 2016)
        albums: list[Album] = []
        for number in range(rng.randint(2, 4)):
            title = _title(rng, rng.randint(1, 3))
            if any(album.title == title for album in albums):
                title = f"{title} II"
            album_type = "Album" if number == 0 else rng.choice(_ALBUM_TYPES)
            track_count = {"Single": 2, "EP": 4}.get(album_type, rng.randint(5, 8))
            tracks = tuple(
                Track(
                    title=_title(rng, rng.randint(1, 3)),
                    number=position,
                    duration=rng.randint(150, 330),
                    mbid=_mbid("recording", name, title, str(position)),
                )
                for position in range(1, track_count + 1)
            )
            albums.append(
                Album(
                    title=title,
                    mbid=_mbid("release-group", name, title),
                    release_mbid=_mbid("release", name, title),
                    year=min(2026, formed + 2 + number * rng.randint(1, 4)),
                    album_type=album_type,
                    genre=genre,
                    artist_name=name,
                    artist_mbid=artist_mbid,
                    tracks=tracks,
                )
            )
        drafts.append((name, genres, artist_mbid, formed, tuple(albums)))

    artists: list[Artist] = []
    for name, artist_genres, artist_mbid, formed, artist_albums in drafts:
        similar = tuple(
            other
            for other, other_genres, *_ in drafts
            if other != name and other_genres[0] == artist_genres[0]
        )
        artists.append(
            Artist(
                name=name,
                sort_name=_sort_name(name),
                mbid=artist_mbid,
                genres=artist_genres,
                city=rng.choice(_CITIES),
                formed=formed,
                albums=artist_albums,
                similar=similar,
            )
        )
    return tuple(artists)


def owned_artists() -> tuple[Artist, ...]:
    """The artists in the demo user's sample library (a prefix of the catalogue)."""
    return catalogue()[:OWNED_ARTIST_COUNT]


def artist_by_mbid(mbid: str) -> Artist | None:
    return next((artist for artist in catalogue() if artist.mbid == mbid), None)


def album_by_mbid(mbid: str) -> Album | None:
    return next(
        (album for artist in catalogue() for album in artist.albums if album.mbid == mbid), None
    )
