"""Typed views of the Lidarr API v1 resources Tastemaker reads.

Field names follow ``specs/lidarr-openapi.json`` (camelCase on the wire, snake_case
here). Only the fields the app uses are declared; everything else Lidarr sends is
ignored, so a newer Lidarr that adds fields does not break us. Enumerations the app
branches on are ``Literal`` types taken from the spec, so a value outside them is a
wrong-shaped answer rather than a silent surprise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

MonitorType = Literal["all", "future", "missing", "existing", "latest", "first", "none", "unknown"]
NewItemMonitorType = Literal["all", "none", "new"]
CommandStatus = Literal[
    "queued", "started", "completed", "failed", "aborted", "cancelled", "orphaned"
]
CommandResult = Literal["unknown", "successful", "unsuccessful"]
TrackedDownloadStatus = Literal["ok", "warning", "error"]
TrackedDownloadState = Literal[
    "downloading",
    "downloadFailed",
    "downloadFailedPending",
    "importBlocked",
    "importPending",
    "importing",
    "importFailed",
    "imported",
    "ignored",
]
HistoryEventType = Literal[
    "unknown",
    "grabbed",
    "artistFolderImported",
    "trackFileImported",
    "downloadFailed",
    "trackFileDeleted",
    "trackFileRenamed",
    "albumImportIncomplete",
    "downloadImported",
    "trackFileRetagged",
    "downloadIgnored",
]


class LidarrModel(BaseModel):
    """Base: camelCase aliases, unknown fields ignored, built by name in tests too."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class SystemStatus(LidarrModel):
    app_name: str | None = None
    instance_name: str | None = None
    version: str | None = None
    url_base: str | None = None
    authentication: str | None = None
    start_time: datetime | None = None


class RootFolder(LidarrModel):
    id: int
    name: str | None = None
    path: str | None = None
    accessible: bool = True
    free_space: int | None = None
    default_quality_profile_id: int | None = None
    default_metadata_profile_id: int | None = None
    default_monitor_option: MonitorType | None = None


class QualityProfile(LidarrModel):
    id: int
    name: str | None = None
    upgrade_allowed: bool = False
    cutoff: int | None = None


class MetadataProfile(LidarrModel):
    id: int
    name: str | None = None


class MediaCover(LidarrModel):
    url: str | None = None
    cover_type: str | None = None
    remote_url: str | None = None


class Statistics(LidarrModel):
    """Artist and album statistics share these fields (albumCount only on artists)."""

    album_count: int | None = None
    track_file_count: int = 0
    track_count: int = 0
    total_track_count: int = 0
    size_on_disk: int = 0
    percent_of_tracks: float = 0.0


class Artist(LidarrModel):
    """An artist: from a lookup (``id == 0``, not in Lidarr yet) or from the library."""

    id: int = 0
    artist_name: str | None = None
    foreign_artist_id: str | None = None  # the MusicBrainz artist id
    artist_type: str | None = None
    disambiguation: str | None = None
    overview: str | None = None
    status: str | None = None
    genres: list[str] = Field(default_factory=list)
    images: list[MediaCover] = Field(default_factory=list)
    remote_poster: str | None = None
    path: str | None = None
    root_folder_path: str | None = None
    quality_profile_id: int | None = None
    metadata_profile_id: int | None = None
    monitored: bool = False
    monitor_new_items: NewItemMonitorType | None = None
    sort_name: str | None = None
    tags: list[int] = Field(default_factory=list)
    added: datetime | None = None
    statistics: Statistics | None = None

    @property
    def in_library(self) -> bool:
        return self.id > 0


class AlbumRelease(LidarrModel):
    id: int = 0
    foreign_release_id: str | None = None
    title: str | None = None
    track_count: int = 0
    monitored: bool = False


class Album(LidarrModel):
    """An album (a MusicBrainz release group): from a lookup or from the library."""

    id: int = 0
    title: str | None = None
    foreign_album_id: str | None = None  # the MusicBrainz release-group id
    artist_id: int = 0
    monitored: bool = False
    album_type: str | None = None
    secondary_types: list[str] = Field(default_factory=list)
    release_date: datetime | None = None
    genres: list[str] = Field(default_factory=list)
    images: list[MediaCover] = Field(default_factory=list)
    remote_cover: str | None = None
    releases: list[AlbumRelease] = Field(default_factory=list)
    artist: Artist | None = None
    statistics: Statistics | None = None

    @property
    def in_library(self) -> bool:
        return self.id > 0

    @property
    def has_all_tracks(self) -> bool:
        stats = self.statistics
        return stats is not None and stats.track_count > 0 and stats.percent_of_tracks >= 100


class Command(LidarrModel):
    id: int
    name: str | None = None
    command_name: str | None = None
    message: str | None = None
    status: CommandStatus
    result: CommandResult | None = None
    queued: datetime | None = None
    started: datetime | None = None
    ended: datetime | None = None
    exception: str | None = None
    # The command's own fields (albumIds, artistId…) live here in real Lidarr.
    body: dict[str, Any] = Field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status not in ("queued", "started")


class StatusMessage(LidarrModel):
    title: str | None = None
    messages: list[str] = Field(default_factory=list)


class QueueItem(LidarrModel):
    """One row of the queue: one (download, album) pair."""

    id: int
    artist_id: int | None = None
    album_id: int | None = None
    artist: Artist | None = None
    album: Album | None = None
    title: str | None = None
    size: float = 0.0
    sizeleft: float = 0.0
    timeleft: str | None = None  # Lidarr's TimeSpan, "[d.]hh:mm:ss"
    estimated_completion_time: datetime | None = None
    added: datetime | None = None
    status: str | None = None  # the download client's state: queued, downloading, completed…
    tracked_download_status: TrackedDownloadStatus | None = None
    tracked_download_state: TrackedDownloadState | None = None
    status_messages: list[StatusMessage] = Field(default_factory=list)
    error_message: str | None = None
    download_id: str | None = None
    download_client: str | None = None
    indexer: str | None = None
    protocol: str | None = None

    @property
    def progress(self) -> float:
        """Downloaded share, 0–100 (Lidarr's own formula: 1 - sizeleft/size)."""
        if self.size <= 0:
            return 0.0
        return max(0.0, min(100.0, 100.0 * (1 - self.sizeleft / self.size)))


class QueuePage(LidarrModel):
    page: int
    page_size: int
    total_records: int
    records: list[QueueItem] = Field(default_factory=list)


class HistoryRecord(LidarrModel):
    id: int
    album_id: int = 0
    artist_id: int = 0
    source_title: str | None = None
    date: datetime
    download_id: str | None = None
    event_type: HistoryEventType
    data: dict[str, str | None] = Field(default_factory=dict)


class NotificationField(LidarrModel):
    name: str | None = None
    value: Any = None


class Notification(LidarrModel):
    id: int
    name: str | None = None
    implementation: str | None = None
    config_contract: str | None = None
    fields: list[NotificationField] = Field(default_factory=list)
    tags: list[int] = Field(default_factory=list)
    on_grab: bool = False
    on_release_import: bool = False
    on_upgrade: bool = False
    on_download_failure: bool = False
    on_import_failure: bool = False
    on_artist_add: bool = False
    on_health_issue: bool = False

    def field(self, name: str) -> Any:
        return next((f.value for f in self.fields if f.name == name), None)
