"""Tables for recommendation runs and the cards they produce."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tastemaker.db import Base, utcnow


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class RecommendationState(StrEnum):
    NEW = "new"
    LIKED = "liked"
    DISLIKED = "disliked"
    DISMISSED = "dismissed"
    REQUESTED = "requested"


class RecommendationRun(Base):
    __tablename__ = "recommendation_runs"
    __table_args__ = (Index("ix_recommendation_runs_user_id_started_at", "user_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[RunStatus] = mapped_column(String(16), default=RunStatus.RUNNING, index=True)
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # manual, scheduled
    model: Mapped[str] = mapped_column(String(128), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # Stamped every few seconds by the process working on the run: one that stops
    # beating was left behind by a process that died (runner.py).
    heartbeat_at: Mapped[datetime | None]
    duration_ms: Mapped[int | None]
    prompt_tokens: Mapped[int] = mapped_column(default=0)
    completion_tokens: Mapped[int] = mapped_column(default=0)
    proposed_count: Mapped[int] = mapped_column(default=0)
    resolved_count: Mapped[int] = mapped_column(default=0)
    filtered_count: Mapped[int] = mapped_column(default=0)
    # Why items were dropped, e.g. {"owned": 2, "unresolved": 1, "dismissed": 1}.
    filtered_reasons: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Listening sources: how many candidates the prompt offered, and per source what it
    # gave or why it failed, the run's notes and the cards per origin (sources/gather.py).
    candidate_count: Mapped[int] = mapped_column(default=0, server_default="0")
    source_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(64))

    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )


class Recommendation(Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        Index("ix_recommendations_user_id_state", "user_id", "state"),
        Index("ix_recommendations_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation_runs.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # artist, album
    artist_name: Mapped[str] = mapped_column(String(300))
    artist_mbid: Mapped[str] = mapped_column(String(36), index=True)
    album_title: Mapped[str | None] = mapped_column(String(300))
    album_mbid: Mapped[str | None] = mapped_column(String(36), index=True)
    year: Mapped[int | None]
    genres: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    similar_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(32), default="model")
    image_url: Mapped[str | None] = mapped_column(String(1000))
    # What Lidarr's lookup said, kept so the detail page needs no second lookup.
    lookup: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[RecommendationState] = mapped_column(String(16), default=RecommendationState.NEW)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    run: Mapped[RecommendationRun] = relationship(back_populates="recommendations")
