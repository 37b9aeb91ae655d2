"""Typed answers of the ListenBrainz calls Tastemaker makes (see specs/listenbrainz-notes.md).

Only the fields the app uses are modelled; the rest of each answer is ignored.
Optional keys (``artist_mbid``, ``mbid_mapping`` and everything inside it) are
optional here too, because ListenBrainz leaves them out or sends ``null``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class TokenCheck(_Model):
    """``GET /1/validate-token``: 200 for a valid and an invalid token alike."""

    valid: bool = False
    user_name: str | None = None
    message: str = ""


class TopArtist(_Model):
    """One row of ``/1/stats/user/{user}/artists``."""

    artist_name: str
    artist_mbid: str | None = None
    listen_count: int = 0


class TopArtistsPayload(_Model):
    artists: list[TopArtist] = Field(default_factory=list)
    total_artist_count: int = 0
    range: str = "all_time"
    last_updated: int | None = None


class MbidMapping(_Model):
    artist_mbids: list[str] = Field(default_factory=list)
    release_group_mbid: str | None = None


class AdditionalInfo(_Model):
    artist_mbids: list[str] = Field(default_factory=list)


class TrackMetadata(_Model):
    artist_name: str
    track_name: str
    release_name: str | None = None
    additional_info: AdditionalInfo = Field(default_factory=AdditionalInfo)
    mbid_mapping: MbidMapping | None = None


class Listen(_Model):
    listened_at: int | None = None
    track_metadata: TrackMetadata

    @property
    def artist_name(self) -> str:
        return self.track_metadata.artist_name

    @property
    def artist_mbid(self) -> str | None:
        """The main artist: the server's mapping first, else what the client submitted."""
        mapping = self.track_metadata.mbid_mapping
        if mapping is not None and mapping.artist_mbids:
            return mapping.artist_mbids[0]
        submitted = self.track_metadata.additional_info.artist_mbids
        return submitted[0] if submitted else None


class ListensPayload(_Model):
    count: int = 0
    listens: list[Listen] = Field(default_factory=list)
    latest_listen_ts: int = 0
    oldest_listen_ts: int = 0


class SimilarArtist(_Model):
    """One row of Labs ``similar-artists``: ``score`` is an unbounded integer."""

    artist_mbid: str
    name: str | None = None
    comment: str | None = None
    score: int = 0
    reference_mbid: str | None = None
