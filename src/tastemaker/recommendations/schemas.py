"""Recommendations and runs as the API shows them (field names are a public contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .models import Recommendation, RecommendationRun


class RecommendationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: Literal["artist", "album"]
    artist_name: str
    artist_mbid: str
    album_title: str | None
    album_mbid: str | None
    reason: str
    state: Literal["new", "liked", "disliked", "dismissed", "requested"]
    year: int | None
    genres: list[str]
    similar_to: list[str]
    source: str = Field(
        description="model (the model's own idea), or the listening source whose candidate "
        "it is: listenbrainz, lastfm"
    )
    run_id: int
    created_at: datetime

    @classmethod
    def of(cls, card: Recommendation) -> RecommendationOut:
        return cls.model_validate(card)


class RecommendationList(BaseModel):
    items: list[RecommendationOut]
    total: int
    offset: int
    limit: int


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["liked", "disliked", "dismissed", "new"] = Field(
        description="liked, disliked or dismissed (new undoes a like or dislike)"
    )


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: Literal["running", "completed", "failed"]
    error: str | None
    error_code: str | None
    trigger: str
    model: str
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    prompt_tokens: int
    completion_tokens: int
    proposed_count: int
    resolved_count: int
    filtered_count: int
    filtered_reasons: dict[str, int]
    candidate_count: int = Field(0, description="Candidates from listening sources offered")
    source_report: dict[str, Any] | None = Field(
        None,
        description="Per listening source: status, detail, candidates, offered; notes (a "
        "source that failed and what was used instead); cards per origin",
    )
    recommendation_count: int = Field(0, description="Cards this run produced")

    @classmethod
    def of(cls, run: RecommendationRun, cards: int = 0) -> RunOut:
        out = cls.model_validate(run)
        out.recommendation_count = cards
        return out


class RunList(BaseModel):
    items: list[RunOut]
    total: int
    offset: int
    limit: int
