"""Read a user's listening sources for one run: top artists, recent listens, and candidates.

Candidates are the similar artists of the user's top artists on each source, with
the MusicBrainz ids the source gives. Everything is bounded, whatever the length
of the history: ``SEEDS`` top artists per source are asked for ``SIMILAR_PER_SEED``
similar artists each, so a source costs a fixed number of calls (ListenBrainz 3,
Last.fm 2 + ``SEEDS``) and yields at most ``SEEDS * SIMILAR_PER_SEED`` candidates.

A source that fails does not fail the run: its result says why, and the run's
notes say which sources were used instead ("ListenBrainz was unreachable; used
Navidrome only").
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from tastemaker.encryption import SecretBox
from tastemaker.errors import (
    AppError,
    ServiceAuthFailed,
    ServiceNotConfigured,
    ServiceNotFound,
    ServiceRateLimited,
)
from tastemaker.integrations.lastfm import LastfmClient, LastfmNotFound
from tastemaker.integrations.listenbrainz import ListenBrainzClient
from tastemaker.recommendations.matching import normalise_name
from tastemaker.services.hub import ServiceHub

from .models import SOURCE_TITLES, ListeningSource, SourceKind

log = logging.getLogger(__name__)

TOP_ARTISTS = 10  # per source, into the taste profile
RECENT_ARTISTS = 8  # per source
SEEDS = 5  # top artists per source whose similar artists are asked
SIMILAR_PER_SEED = 8
RECENT_LISTENS = 50  # listens read to find the recent artists

Status = Literal["ok", "failed"]


@dataclass(frozen=True)
class Candidate:
    name: str
    mbid: str | None
    sources: tuple[str, ...]  # listenbrainz, lastfm: every source that offered it
    seeds: tuple[str, ...]  # the user's artists it is similar to
    score: float

    @property
    def source(self) -> str:
        """The source a card from this candidate is credited to (the first that offered it)."""
        return self.sources[0]


@dataclass
class SourceResult:
    kind: SourceKind
    status: Status = "ok"
    detail: str = ""  # why it failed, in the service's own words
    phrase: str = ""  # how it failed, for the run's note ("was unreachable")
    top_artists: list[tuple[str, int]] = field(default_factory=list)
    recent_artists: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def title(self) -> str:
        return SOURCE_TITLES[self.kind]


@dataclass
class Listening:
    """What the user's sources said, merged; empty when they have none."""

    results: list[SourceResult] = field(default_factory=list)

    def _ok(self) -> list[SourceResult]:
        return [result for result in self.results if result.status == "ok"]

    @property
    def titles(self) -> list[str]:
        return [result.title for result in self._ok()]

    @property
    def top_artists(self) -> list[tuple[str, int]]:
        merged: dict[str, tuple[str, int]] = {}
        for result in self._ok():
            for name, plays in result.top_artists:
                key = normalise_name(name)
                seen = merged.get(key)
                merged[key] = (name, plays + (seen[1] if seen else 0))
        ranked = sorted(merged.values(), key=lambda pair: -pair[1])
        return ranked[:TOP_ARTISTS]

    @property
    def recent_artists(self) -> list[str]:
        seen: dict[str, str] = {}
        for result in self._ok():
            for name in result.recent_artists:
                seen.setdefault(normalise_name(name), name)
        return list(seen.values())[:RECENT_ARTISTS]

    @property
    def candidates(self) -> list[Candidate]:
        """Every source's candidates, one per artist, best first (score summed across
        sources: an artist both sources suggest is the safer bet)."""
        merged: dict[str, Candidate] = {}
        for result in self._ok():
            for candidate in result.candidates:
                key = normalise_name(candidate.name)
                seen = merged.get(key)
                if seen is None:
                    merged[key] = candidate
                else:
                    merged[key] = Candidate(
                        seen.name,
                        seen.mbid or candidate.mbid,
                        tuple(dict.fromkeys(seen.sources + candidate.sources)),
                        tuple(dict.fromkeys(seen.seeds + candidate.seeds)),
                        seen.score + candidate.score,
                    )
        return sorted(merged.values(), key=lambda c: (-c.score, c.name))

    def notes(self) -> list[str]:
        """One sentence per failed source, saying what the run used instead."""
        failed = [result for result in self.results if result.status == "failed"]
        if not failed:
            return []
        used = " and ".join(["Navidrome", *self.titles])
        return [f"{result.title} {result.phrase}; used {used} only" for result in failed]

    def report(self) -> dict[str, Any]:
        """The run's record of its sources (``RecommendationRun.source_report``)."""
        return {
            "sources": {
                str(result.kind): {
                    "status": result.status,
                    "detail": result.detail,
                    "candidates": len(result.candidates),
                }
                for result in self.results
            },
            "notes": self.notes(),
        }


def failure_phrase(error: AppError) -> str:
    if isinstance(error, ServiceNotConfigured):
        return "is not set up (an admin turns it on under Settings → Services)"
    if isinstance(error, ServiceRateLimited):
        return "was rate limiting Tastemaker"
    if isinstance(error, ServiceAuthFailed):
        return "rejected the credentials"
    if isinstance(error, ServiceNotFound):
        return "does not know your user name"
    return "was unreachable"


def _scaled(scores: list[float]) -> list[float]:
    top = max(scores, default=0.0) or 1.0
    return [score / top for score in scores]


def _seed_weight(rank: int) -> float:
    return 1.0 / (1.0 + 0.15 * rank)


async def read_listenbrainz(client: ListenBrainzClient, username: str) -> SourceResult:
    result = SourceResult(SourceKind.LISTENBRAINZ)
    top, listens = await asyncio.gather(
        client.top_artists(username, count=TOP_ARTISTS * 2),
        client.listens(username, count=RECENT_LISTENS),
    )
    result.top_artists = [(a.artist_name, a.listen_count) for a in top][:TOP_ARTISTS]
    result.recent_artists = _distinct([listen.artist_name for listen in listens], RECENT_ARTISTS)
    seeds = [(a.artist_name, a.artist_mbid) for a in top if a.artist_mbid][:SEEDS]
    if not seeds:
        return result
    rows = await client.similar_artists([mbid for _, mbid in seeds if mbid])
    for rank, (seed_name, seed_mbid) in enumerate(seeds):
        mine = [row for row in rows if row.reference_mbid == seed_mbid][:SIMILAR_PER_SEED]
        for row, score in zip(mine, _scaled([float(r.score) for r in mine]), strict=True):
            result.candidates.append(
                Candidate(
                    row.name or "",
                    row.artist_mbid,
                    (SourceKind.LISTENBRAINZ.value,),
                    (seed_name,),
                    score * _seed_weight(rank),
                )
            )
    return result


async def read_lastfm(client: LastfmClient, username: str) -> SourceResult:
    result = SourceResult(SourceKind.LASTFM)
    try:
        top = await client.top_artists(username, limit=TOP_ARTISTS * 2)
        recent = await client.recent_tracks(username, limit=RECENT_LISTENS)
    except LastfmNotFound as missing:
        raise ServiceNotFound("lastfm", f"Last.fm has no user named {username!r}") from missing
    result.top_artists = [(a.name, a.playcount) for a in top][:TOP_ARTISTS]
    result.recent_artists = _distinct([t.artist for t in recent], RECENT_ARTISTS)
    for rank, seed in enumerate(top[:SEEDS]):
        similar = await client.similar_artists(
            name=seed.name, mbid=seed.mbid, limit=SIMILAR_PER_SEED
        )
        for artist in similar:
            result.candidates.append(
                Candidate(
                    artist.name,
                    artist.mbid,
                    (SourceKind.LASTFM.value,),
                    (seed.name,),
                    artist.match * _seed_weight(rank),
                )
            )
    return result


def _distinct(names: list[str], limit: int) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(normalise_name(name) or name, name)
    return list(seen.values())[:limit]


async def _read(source: ListeningSource, hub: ServiceHub, secret_box: SecretBox) -> SourceResult:
    kind = SourceKind(source.kind)
    try:
        if kind == SourceKind.LISTENBRAINZ:
            token = secret_box.decrypt(source.token_encrypted) if source.token_encrypted else None
            client = (await hub.listenbrainz()).with_token(token)
            return await read_listenbrainz(client, source.username)
        return await read_lastfm(await hub.lastfm(), source.username)
    except AppError as error:
        log.info("listening source %s failed: %s", kind, error.detail)
        return SourceResult(
            kind, status="failed", detail=error.detail, phrase=failure_phrase(error)
        )


async def gather(
    sources: list[ListeningSource], hub: ServiceHub, secret_box: SecretBox
) -> Listening:
    """Read every connected source at once; failures become notes, never exceptions."""
    results = await asyncio.gather(*(_read(source, hub, secret_box) for source in sources))
    return Listening(results=list(results))
