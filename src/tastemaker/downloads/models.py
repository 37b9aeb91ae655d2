"""Tables for download requests and their timeline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tastemaker.db import Base, utcnow


class DownloadStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    QUEUED = "queued"
    SENT = "sent"
    SEARCHING = "searching"
    DOWNLOADING = "downloading"
    IMPORTING = "importing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


OPEN_STATUSES = frozenset(
    {
        DownloadStatus.PENDING_APPROVAL,
        DownloadStatus.QUEUED,
        DownloadStatus.SENT,
        DownloadStatus.SEARCHING,
        DownloadStatus.DOWNLOADING,
        DownloadStatus.IMPORTING,
    }
)


class DownloadRequest(Base):
    __tablename__ = "download_requests"
    __table_args__ = (
        # One request per user and thing: ``target_key`` is the album's MusicBrainz id,
        # or ``artist:<mbid>`` for a whole artist (a NULL album id would not be unique).
        UniqueConstraint("user_id", "target_key"),
        Index("ix_download_requests_user_id_status", "user_id", "status"),
        Index("ix_download_requests_user_id_created_at", "user_id", "created_at"),
        Index("ix_download_requests_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # artist, album
    target_key: Mapped[str] = mapped_column(String(48))
    artist_name: Mapped[str] = mapped_column(String(300))
    artist_mbid: Mapped[str] = mapped_column(String(36), index=True)
    album_title: Mapped[str | None] = mapped_column(String(300))
    album_mbid: Mapped[str | None] = mapped_column(String(36), index=True)
    lidarr_artist_id: Mapped[int | None]
    lidarr_album_id: Mapped[int | None] = mapped_column(index=True)
    status: Mapped[DownloadStatus] = mapped_column(String(20), default=DownloadStatus.QUEUED)
    progress: Mapped[float] = mapped_column(default=0.0)  # 0–100
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    size_left_bytes: Mapped[int | None] = mapped_column(BigInteger)
    time_left_seconds: Mapped[int | None]
    release_title: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id", ondelete="SET NULL"), index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # When Lidarr imported it: from then Navidrome has the library timeout to list it.
    imported_at: Mapped[datetime | None]
    # Cancelled while Lidarr was unreachable: the worker still has to unmonitor the
    # album and drop its queue items there (durable, so a restart does not forget).
    lidarr_cleanup_pending: Mapped[bool] = mapped_column(default=False, server_default=false())

    events: Mapped[list[DownloadEvent]] = relationship(
        back_populates="request",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="DownloadEvent.id",
    )


class DownloadEvent(Base):
    """One step of a request's timeline: every status change and what caused it."""

    __tablename__ = "download_events"
    __table_args__ = (
        Index("ix_download_events_request_id_created_at", "request_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("download_requests.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[DownloadStatus] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    request: Mapped[DownloadRequest] = relationship(back_populates="events")
