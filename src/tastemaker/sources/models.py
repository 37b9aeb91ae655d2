"""The listening sources a user connected: one row per user and kind."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tastemaker.db import Base, utcnow


class SourceKind(StrEnum):
    LISTENBRAINZ = "listenbrainz"
    LASTFM = "lastfm"


SOURCE_TITLES = {SourceKind.LISTENBRAINZ: "ListenBrainz", SourceKind.LASTFM: "Last.fm"}


class ListeningSource(Base):
    __tablename__ = "listening_sources"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SourceKind] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(128))
    # ListenBrainz user token (optional), encrypted with SecretBox; never shown again.
    token_encrypted: Mapped[str | None] = mapped_column(String(1024))
    # What the last recommendation run got from it: shown on the profile page.
    last_used_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def title(self) -> str:
        return SOURCE_TITLES[SourceKind(self.kind)]
