"""Deterministic listening histories for the ListenBrainz and Last.fm simulators.

Both simulators serve the same history for a user, drawn from the shared catalogue
(so every MusicBrainz id in it resolves through the Lidarr simulator): mostly the
artists the demo user owns, some catalogue artists they only heard elsewhere, and
one artist MusicBrainz does not know (no MBID), as real scrobbles always contain,
and a long tail of one-off listens across the whole catalogue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from .catalogue import Artist, catalogue, owned_artists

# 2026-05-28 00:00 UTC: the newest listen (fixed, so every run sees the same history).
LATEST_LISTEN = 1_779_926_400
UNMAPPED_ARTIST = "The Basement Tape Collective"
DEMO_LISTENS = 400
# The share of listens that go to any catalogue artist: the longer the history, the
# more distinct artists it holds, as a real one does.
LONG_TAIL = 0.15


@dataclass(frozen=True)
class Scrobble:
    artist: str
    artist_mbid: str | None
    track: str
    album: str
    album_mbid: str | None
    recording_mbid: str | None
    listened_at: int  # UNIX seconds, UTC


def favourite_artists() -> list[tuple[Artist | None, int]]:
    """(artist, weight): the owned artists, then some heard elsewhere, then an unmapped one."""
    owned = list(owned_artists())
    elsewhere = list(catalogue()[len(owned) : len(owned) + 4])
    weighted: list[tuple[Artist | None, int]] = [
        (artist, 40 - 3 * index) for index, artist in enumerate(owned[:8])
    ]
    weighted += [(artist, 22 - 4 * index) for index, artist in enumerate(elsewhere)]
    weighted.append((None, 6))
    return weighted


@cache
def history(user: str, count: int = DEMO_LISTENS) -> tuple[Scrobble, ...]:
    """``count`` listens, newest first, about 40 minutes apart."""
    rng = random.Random(f"listening:{user}")
    artists = favourite_artists()
    weights = [weight for _, weight in artists]
    scrobbles: list[Scrobble] = []
    moment = LATEST_LISTEN
    everyone = catalogue()
    for _ in range(count):
        if rng.random() < LONG_TAIL:
            artist: Artist | None = rng.choice(everyone)
        else:
            artist = rng.choices([a for a, _ in artists], weights)[0]
        if artist is None:
            scrobbles.append(
                Scrobble(UNMAPPED_ARTIST, None, "Demo 4", "Basement Tapes", None, None, moment)
            )
        else:
            album = rng.choice(artist.albums)
            track = rng.choice(album.tracks)
            scrobbles.append(
                Scrobble(
                    artist.name,
                    artist.mbid,
                    track.title,
                    album.title,
                    album.mbid,
                    track.mbid,
                    moment,
                )
            )
        moment -= rng.randint(1800, 3600)
    return tuple(scrobbles)


def top_artists(scrobbles: tuple[Scrobble, ...]) -> list[tuple[str, str | None, int]]:
    """(name, mbid, listens), most listened first, ties by name."""
    counts: dict[tuple[str, str | None], int] = {}
    for scrobble in scrobbles:
        key = (scrobble.artist, scrobble.artist_mbid)
        counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return [(name, mbid, plays) for (name, mbid), plays in ranked]


def similar(artist: Artist) -> list[tuple[Artist, float]]:
    """Catalogue neighbours with a 0..1 closeness: same main genre, then a shared genre."""
    by_name = {other.name: other for other in catalogue()}
    rng = random.Random(f"similar:{artist.mbid}")
    close = [by_name[name] for name in artist.similar]
    near = [
        other
        for other in catalogue()
        if other.name != artist.name
        and other.name not in artist.similar
        and set(other.genres) & set(artist.genres)
    ][:4]
    scored = [(other, round(rng.uniform(0.6, 1.0), 6)) for other in close]
    scored += [(other, round(rng.uniform(0.2, 0.55), 6)) for other in near]
    return sorted(scored, key=lambda pair: -pair[1])
