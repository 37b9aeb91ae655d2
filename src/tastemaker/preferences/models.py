"""The ``user_preferences`` table: one row per user."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from tastemaker.db import Base, utcnow

DISCOVERIES_NAME = "Tastemaker Discoveries"


class UserPreferences(Base):
    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(8), default="system")  # light, dark, system
    favourite_genres: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded_genres: Mapped[list[str]] = mapped_column(JSON, default=list)
    favourite_artists: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded_artists: Mapped[list[str]] = mapped_column(JSON, default=list)
    discovery_level: Mapped[int] = mapped_column(default=50)  # 0 close to taste … 100 adventurous
    recommendation_count: Mapped[int] = mapped_column(default=10)
    recommendation_kinds: Mapped[str] = mapped_column(String(8), default="both")
    release_types: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["album", "ep"])
    notes: Mapped[str] = mapped_column(Text, default="")
    refresh_schedule: Mapped[str] = mapped_column(String(8), default="off")  # off, daily, weekly
    # Per-user transcoding passed to Navidrome's stream call; empty = original file.
    stream_format: Mapped[str] = mapped_column(String(16), default="")
    stream_max_bitrate: Mapped[int] = mapped_column(default=0)
    # The Navidrome playlist that collects what the user's requests brought in.
    discoveries_playlist: Mapped[bool] = mapped_column(default=True, server_default=true())
    discoveries_playlist_name: Mapped[str] = mapped_column(
        String(100), default=DISCOVERIES_NAME, server_default=DISCOVERIES_NAME
    )
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
