"""What the discoveries playlist routes answer."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DiscoveriesCleared(BaseModel):
    playlist_id: str | None = Field(
        description="The playlist in Navidrome; null when there is none yet (nothing to clear)"
    )
    removed: int = Field(description="How many songs were taken out")
