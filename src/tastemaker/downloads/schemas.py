"""What the downloads API takes and returns (field names are public: see DESIGN.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
)

from tastemaker.downloads.config import MAX_TIMEOUT_MINUTES
from tastemaker.downloads.models import DownloadEvent, DownloadRequest, DownloadStatus
from tastemaker.input_types import BodyRowId, JsonNumber

MBID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Mbid = Annotated[
    str,
    StringConstraints(pattern=MBID_PATTERN),
    AfterValidator(str.lower),
    Field(examples=["0383dadf-2a4e-4d10-a46a-e9e041da8eb3"]),
]


Minutes = Annotated[float, Field(gt=0, le=MAX_TIMEOUT_MINUTES), JsonNumber]


class DownloadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    artist_mbid: Mbid = Field(description="The artist's MusicBrainz id")
    album_mbid: Mbid | None = Field(
        None, description="The album's MusicBrainz release-group id; omit to request the artist"
    )
    recommendation_id: BodyRowId | None = Field(
        None, description="The recommendation this request came from, if any"
    )


class RejectIn(BaseModel):
    reason: str = Field("", max_length=2000, description="Why, shown to the requester")


class EventOut(BaseModel):
    at: datetime
    status: DownloadStatus
    message: str
    data: dict[str, Any]

    @classmethod
    def of(cls, event: DownloadEvent) -> EventOut:
        return cls(at=event.created_at, status=event.status, message=event.message, data=event.data)


LIBRARY_KEYS = frozenset({"library_album_id", "library_artist_id"})


class DownloadOut(BaseModel):
    id: int
    kind: str
    status: DownloadStatus
    progress: float = Field(description="0–100")
    artist_name: str
    artist_mbid: str
    album_title: str | None
    album_mbid: str | None
    error: str | None
    user_id: int
    username: str | None = None
    size_bytes: int | None
    size_left_bytes: int | None
    time_left_seconds: int | None
    release_title: str | None
    rejection_reason: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    library_album_id: str | None = Field(
        None, description="The album in the library once completed (for Play now)"
    )
    library_artist_id: str | None = None

    @classmethod
    def of(cls, request: DownloadRequest, username: str | None = None) -> DownloadOut:
        # The completion itself: later notes (e.g. the discoveries playlist) carry no ids.
        done = (
            next(
                (
                    e
                    for e in reversed(request.events)
                    if e.status == DownloadStatus.COMPLETED and LIBRARY_KEYS & set(e.data or {})
                ),
                None,
            )
            if "events" in request.__dict__
            else None
        )
        data = done.data if done is not None else {}
        return cls(
            id=request.id,
            kind=request.kind,
            status=request.status,
            progress=round(request.progress, 1),
            artist_name=request.artist_name,
            artist_mbid=request.artist_mbid,
            album_title=request.album_title,
            album_mbid=request.album_mbid,
            error=request.error,
            user_id=request.user_id,
            username=username,
            size_bytes=request.size_bytes,
            size_left_bytes=request.size_left_bytes,
            time_left_seconds=request.time_left_seconds,
            release_title=request.release_title,
            rejection_reason=request.rejection_reason,
            attempts=request.attempts,
            created_at=request.created_at,
            updated_at=request.updated_at,
            completed_at=request.completed_at,
            library_album_id=data.get("library_album_id"),
            library_artist_id=data.get("library_artist_id"),
        )


class DownloadDetail(DownloadOut):
    events: list[EventOut]


class DownloadList(BaseModel):
    items: list[DownloadOut]
    total: int
    offset: int
    limit: int


class DownloadSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approval_required: StrictBool | None = None
    weekly_limit: Annotated[int, Field(ge=0), JsonNumber] | None = Field(
        None, description="0 means no limit"
    )
    search_timeout_minutes: Minutes | None = None
    library_timeout_minutes: Minutes | None = Field(
        None, description="How long Navidrome may take to list an imported album"
    )


class DownloadSettingsOut(BaseModel):
    approval_required: bool
    weekly_limit: int
    search_timeout_minutes: float
    library_timeout_minutes: float
    webhook_registered: bool
