"""Preferences in and out: what a user tells the recommender about their taste."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator

from tastemaker.input_types import JsonNumber

Kinds = Literal["artists", "albums", "both"]
ReleaseType = Literal["album", "ep", "single", "live", "compilation"]
Schedule = Literal["off", "daily", "weekly"]
# Formats Navidrome transcodes to out of the box; "" streams the original file.
StreamFormat = Literal["", "mp3", "opus", "aac"]
StreamBitrate = Literal[0, 96, 128, 160, 192, 256, 320]
RELEASE_TYPES: tuple[ReleaseType, ...] = ("album", "ep", "single", "live", "compilation")
RELEASE_TYPE_LABELS = {
    "album": "Albums",
    "ep": "EPs",
    "single": "Singles",
    "live": "Live",
    "compilation": "Compilations",
}
Name = Annotated[
    # The pattern says what stripping leaves: at least one character that is not a space.
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"\S"),
]
MAX_NAMES = 50


def _dedupe(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())


class PreferencesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    favourite_genres: list[str]
    excluded_genres: list[str]
    favourite_artists: list[str]
    excluded_artists: list[str]
    discovery_level: int = Field(description="0 = close to my taste … 100 = adventurous")
    recommendation_count: int = Field(description="How many recommendations a run makes")
    recommendation_kinds: Kinds
    release_types: list[ReleaseType]
    notes: str
    refresh_schedule: Schedule
    stream_format: StreamFormat = Field(description='Transcode to this format ("" = original)')
    stream_max_bitrate: StreamBitrate = Field(description="Cap in kbps (0 = no cap)")
    discoveries_playlist: bool = Field(
        True, description="Add what your requests bring in to a playlist in Navidrome"
    )
    discoveries_playlist_name: str = Field(
        "Tastemaker Discoveries", description="That playlist's name in Navidrome"
    )


class PreferencesIn(BaseModel):
    """Fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    favourite_genres: list[Name] | None = Field(None, max_length=MAX_NAMES)
    excluded_genres: list[Name] | None = Field(None, max_length=MAX_NAMES)
    favourite_artists: list[Name] | None = Field(None, max_length=MAX_NAMES)
    excluded_artists: list[Name] | None = Field(None, max_length=MAX_NAMES)
    discovery_level: Annotated[int, Field(ge=0, le=100), JsonNumber] | None = None
    recommendation_count: Annotated[int, Field(ge=1, le=30), JsonNumber] | None = None
    recommendation_kinds: Kinds | None = None
    release_types: list[ReleaseType] | None = Field(None, min_length=1)
    notes: str | None = Field(None, max_length=1000)
    refresh_schedule: Schedule | None = None
    stream_format: StreamFormat | None = None
    stream_max_bitrate: Annotated[StreamBitrate, JsonNumber] | None = None
    discoveries_playlist: StrictBool | None = None
    discoveries_playlist_name: Name | None = None

    @field_validator("favourite_genres", "excluded_genres", "favourite_artists", "excluded_artists")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return _dedupe(value) if value is not None else None

    @field_validator("release_types")
    @classmethod
    def _unique_types(cls, value: list[ReleaseType] | None) -> list[ReleaseType] | None:
        return [kind for kind in RELEASE_TYPES if kind in value] if value is not None else None


class Suggestions(BaseModel):
    """Names from the user's own library, to pick from."""

    genres: list[str]
    artists: list[str]
    available: bool = Field(description="False when Navidrome could not be asked")
    problem: str | None = None
