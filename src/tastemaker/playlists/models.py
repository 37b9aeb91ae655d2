"""Tables for the discoveries playlist: which Navidrome playlist is a user's, and which
completed requests still have to be added to it (durable, so Navidrome being down
only delays an addition)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tastemaker.db import Base, utcnow


class DiscoveryPlaylist(Base):
    """The Navidrome playlist Tastemaker keeps for one user.

    ``navidrome_user`` is the account that owns it: when the user links (or unlinks)
    their own account the identity changes and a playlist of the new identity is used.
    """

    __tablename__ = "discovery_playlists"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    navidrome_user: Mapped[str] = mapped_column(String(200))
    playlist_id: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AdditionState(StrEnum):
    PENDING = "pending"  # to do, at ``next_attempt_at`` or now
    DONE = "done"
    SKIPPED = "skipped"  # the user turned the playlist off, or nothing to add


class DiscoveryAddition(Base):
    """One completed request whose tracks go into its user's discoveries playlist."""

    __tablename__ = "discovery_additions"
    __table_args__ = (
        Index("ix_discovery_additions_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("download_requests.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[AdditionState] = mapped_column(String(12), default=AdditionState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    tracks_added: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
