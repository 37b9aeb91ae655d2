"""Last.fm's answers, normalised (see specs/lastfm-notes.md, "Quirks a client must handle").

Last.fm sends every scalar as a string, an empty MBID as ``""``, a one-item
collection as a bare object and an empty one as ``[]``, ``""`` or nothing. The
parsing functions here turn those shapes into plain typed records, so nothing
else in the app sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def as_list(value: Any) -> list[Any]:
    """None / "" / {"#text": ""} → [], a bare object → [object], a list → the list."""
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return [] if set(value) <= {"#text"} and not value.get("#text") else [value]
    if isinstance(value, list):
        return value
    return []


def text(value: Any) -> str:
    """A string field, or the ``#text`` of an object field."""
    if isinstance(value, dict):
        value = value.get("#text", "")
    return value.strip() if isinstance(value, str) else ""


def integer(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def number(value: Any) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def mbid(value: Any) -> str | None:
    found = text(value)
    return found or None


@dataclass(frozen=True)
class TopArtist:
    name: str
    mbid: str | None
    playcount: int
    rank: int


@dataclass(frozen=True)
class RecentTrack:
    artist: str
    artist_mbid: str | None
    title: str
    album: str
    played_at: int | None  # UNIX seconds; None for the track playing now
    now_playing: bool


@dataclass(frozen=True)
class SimilarArtist:
    name: str
    mbid: str | None
    match: float  # 0..1


def parse_top_artists(body: dict[str, Any]) -> list[TopArtist]:
    artists = as_list((body.get("topartists") or {}).get("artist"))
    parsed = []
    for position, item in enumerate(artists, start=1):
        if not isinstance(item, dict) or not text(item.get("name")):
            continue
        rank = integer((item.get("@attr") or {}).get("rank")) or position
        parsed.append(
            TopArtist(
                text(item["name"]), mbid(item.get("mbid")), integer(item.get("playcount")), rank
            )
        )
    return parsed


def parse_recent_tracks(body: dict[str, Any]) -> list[RecentTrack]:
    tracks = as_list((body.get("recenttracks") or {}).get("track"))
    parsed = []
    for item in tracks:
        if not isinstance(item, dict):
            continue
        artist = item.get("artist") or {}
        # extended=0 puts the name in "#text", extended=1 in "name".
        name = (
            text(artist.get("name"))
            if isinstance(artist, dict) and "name" in artist
            else text(artist)
        )
        now = (item.get("@attr") or {}).get("nowplaying") == "true"
        date = item.get("date")
        played_at = integer(date.get("uts")) if isinstance(date, dict) else None
        if not name:
            continue
        parsed.append(
            RecentTrack(
                artist=name,
                artist_mbid=mbid(artist.get("mbid")) if isinstance(artist, dict) else None,
                title=text(item.get("name")),
                album=text(item.get("album")),
                played_at=played_at or None,
                now_playing=now,
            )
        )
    return parsed


def parse_similar(body: dict[str, Any]) -> tuple[str, list[SimilarArtist]]:
    """(the canonical seed name, its similar artists best first)."""
    section = body.get("similarartists") or {}
    seed = text((section.get("@attr") or {}).get("artist"))
    similar = [
        SimilarArtist(text(item.get("name")), mbid(item.get("mbid")), number(item.get("match")))
        for item in as_list(section.get("artist"))
        if isinstance(item, dict) and text(item.get("name"))
    ]
    return seed, sorted(similar, key=lambda artist: -artist.match)
