"""Lidarr's lookup, answered from the simulators' catalogue instead of its metadata server.

``lidarr:<mbid>`` (also ``lidarrid:`` and ``mbid:``, any case) finds one artist or
release group; a guid that does not parse finds nothing, as in SkyHookProxy. Any
other term matches names whose words contain every word of the term.
"""

from __future__ import annotations

import uuid

from tastemaker.simulators import catalogue

_PREFIXES = ("lidarr:", "lidarrid:", "mbid:")


def _mbid_term(term: str) -> str | None:
    """The guid of an MBID term, ``""`` for an MBID term with a bad guid, else None."""
    lowered = term.strip().lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            try:
                return str(uuid.UUID(lowered[len(prefix) :].strip()))
            except ValueError:
                return ""
    return None


def _matches(term: str, text: str) -> bool:
    words = term.lower().split()
    haystack = text.lower()
    return bool(words) and all(word in haystack for word in words)


def find_artists(term: str) -> list[catalogue.Artist]:
    mbid = _mbid_term(term)
    if mbid is not None:
        found = catalogue.artist_by_mbid(mbid) if mbid else None
        return [found] if found else []
    hits = [artist for artist in catalogue.catalogue() if _matches(term, artist.name)]
    # An exact name first, as MusicBrainz's ranking would put it.
    return sorted(hits, key=lambda artist: artist.name.lower() != term.strip().lower())


def find_albums(term: str) -> list[catalogue.Album]:
    mbid = _mbid_term(term)
    if mbid is not None:
        found = catalogue.album_by_mbid(mbid) if mbid else None
        return [found] if found else []
    hits = [
        album
        for artist in catalogue.catalogue()
        for album in artist.albums
        if _matches(term, f"{album.title} {album.artist_name}")
    ]
    return sorted(hits, key=lambda album: album.title.lower() != term.strip().lower())
