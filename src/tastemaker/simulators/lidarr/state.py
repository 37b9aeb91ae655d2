"""The simulated Lidarr's memory: library, commands, downloads, history, connections.

Pure state and rules, no I/O: time is passed in (``time.monotonic()`` for progress,
UTC datetimes for what is shown), and what must leave the process (webhook events,
imported albums) is put in outboxes that the app drains. That keeps every rule
here testable and the download timeline reproducible.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tastemaker.simulators import catalogue

from . import webhooks
from .config import LidarrSimConfig
from .resources import JSON, album_size

ACTIVE_COMMANDS = ("queued", "started")


class RejectedError(Exception):
    """A Lidarr validation failure: rendered as a 400 array of ``{propertyName, errorMessage}``."""

    def __init__(self, prop: str, message: str, attempted: Any = None) -> None:
        super().__init__(message)
        self.prop, self.message, self.attempted = prop, message, attempted


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass
class LibArtist:
    id: int
    source: catalogue.Artist
    quality_profile_id: int
    metadata_profile_id: int
    root_folder_path: str
    path: str
    monitored: bool
    monitor_new_items: str
    tags: list[int]
    added: datetime
    albums_ready_at: float  # monotonic time when the first refresh has listed albums


@dataclass
class LibAlbum:
    id: int
    artist_id: int
    source: catalogue.Album
    monitored: bool
    track_files: int = 0
    size_on_disk: int = 0
    last_search: datetime | None = None


@dataclass
class Download:
    """A grabbed release of one album, moving through the (simulated) download client."""

    id: int
    download_id: str
    artist_id: int
    album_id: int
    album: catalogue.Album
    title: str
    size: int
    added: datetime
    started: float  # monotonic
    duration: float
    import_seconds: float
    fails: bool
    import_fails: bool
    tracked_status: str = "ok"
    error_message: str | None = None
    status_messages: list[JSON] = field(default_factory=list)
    import_failed: bool = False
    files_due: bool = False  # imported, waiting for its files (``SimState.record_imports``)

    def fraction(self, now: float) -> float:
        if self.duration <= 0:
            return 1.0
        return min(1.0, max(0.0, (now - self.started) / self.duration))

    def sizeleft(self, now: float) -> int:
        return round(self.size * (1 - self.fraction(now)))

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.started + self.duration - now)

    def eta(self) -> datetime:
        return self.added + timedelta(seconds=self.duration)

    def client_status(self, now: float) -> str:
        return "completed" if self.fraction(now) >= 1 else "downloading"

    def tracked_state(self, now: float) -> str:
        if self.import_failed:
            return "importFailed"
        return "importing" if self.fraction(now) >= 1 else "downloading"


@dataclass
class HistoryRow:
    id: int
    album_id: int
    artist_id: int
    source_title: str
    date: datetime
    download_id: str | None
    event_type: str
    data: dict[str, str]
    track_id: int = 0


@dataclass
class CommandRow:
    id: int
    name: str
    fields: dict[str, Any]
    queued: datetime
    run_at: float  # monotonic: when it may start
    status: str = "queued"
    result: str = "unknown"
    message: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    started_at: float = 0.0


class SimState:
    """Everything one simulated Lidarr knows; ``advance(now)`` moves time forward."""

    def __init__(self, config: LidarrSimConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.started = now_utc()
        self.artists: dict[int, LibArtist] = {}
        self.albums: dict[int, LibAlbum] = {}
        self.downloads: dict[int, Download] = {}
        self.history: list[HistoryRow] = []
        self.commands: dict[int, CommandRow] = {}
        self.notifications: dict[int, JSON] = {}
        # Outboxes drained by the app: (event flag, payload), and the albums whose files
        # it puts in place before calling record_imports().
        self.events: list[tuple[str, JSON]] = []
        self.imported: list[catalogue.Album] = []
        self._ids: dict[str, int] = {}

    def next_id(self, kind: str) -> int:
        self._ids[kind] = self._ids.get(kind, 0) + 1
        return self._ids[kind]

    # -- library ---------------------------------------------------------------------

    def artist_by_mbid(self, mbid: str) -> LibArtist | None:
        return next((a for a in self.artists.values() if a.source.mbid == mbid), None)

    def album_by_mbid(self, mbid: str) -> LibAlbum | None:
        return next((a for a in self.albums.values() if a.source.mbid == mbid), None)

    def visible_albums(self, now: float) -> list[LibAlbum]:
        """Albums whose artist's first refresh has finished (before it, Lidarr lists none)."""
        return [
            album
            for album in self.albums.values()
            if self.artists[album.artist_id].albums_ready_at <= now
        ]

    def add_artist(self, body: JSON, now: float) -> LibArtist:
        name = str(body.get("artistName") or "").strip()
        mbid = str(body.get("foreignArtistId") or "").strip()
        if not name:
            raise RejectedError("ArtistName", "'Artist Name' must not be empty.", name)
        if not mbid:
            raise RejectedError("ForeignArtistId", "'Foreign Artist Id' must not be empty.", mbid)
        if self.artist_by_mbid(mbid):
            raise RejectedError("ForeignArtistId", "This artist has already been added.", mbid)
        for prop, ids in (("QualityProfileId", (1, 2, 3)), ("MetadataProfileId", (1, 2))):
            value = body.get(prop[0].lower() + prop[1:])
            if value not in ids:
                raise RejectedError(prop, f"'{prop}' must be an existing profile.", value)
        root = str(body.get("rootFolderPath") or "").rstrip("/")
        if not body.get("path") and root != self.config.root_folder.rstrip("/"):
            raise RejectedError("RootFolderPath", "Root folder path does not exist.", root)
        source = catalogue.artist_by_mbid(mbid)
        if source is None:
            raise RejectedError("MusicbrainzId", "An artist with this ID was not found", mbid)
        options: JSON = body.get("addOptions") or {}
        monitor = str(options.get("monitor") or "all")
        artist = LibArtist(
            id=self.next_id("artist"),
            source=source,
            quality_profile_id=int(body["qualityProfileId"]),
            metadata_profile_id=int(body["metadataProfileId"]),
            root_folder_path=root,
            path=str(body.get("path") or f"{root}/{source.name}"),
            # addOptions.monitor "none" forces the artist unmonitored, as in Lidarr.
            monitored=bool(body.get("monitored", True)) and monitor != "none",
            monitor_new_items=str(body.get("monitorNewItems") or "all"),
            tags=[int(tag) for tag in body.get("tags") or []],
            added=now_utc(),
            albums_ready_at=now + self.config.refresh_seconds,
        )
        self.artists[artist.id] = artist
        chosen = _monitored_albums(source, monitor, list(options.get("albumsToMonitor") or []))
        for album in source.albums:
            lib = LibAlbum(self.next_id("album"), artist.id, album, album.mbid in chosen)
            self.albums[lib.id] = lib
        self.events.append(("onArtistAdd", webhooks.artist_add(self, artist)))
        if options.get("searchForMissingAlbums"):
            self.queue_command(
                "MissingAlbumSearch", {"artistId": artist.id}, artist.albums_ready_at
            )
        return artist

    def set_monitored(self, album_ids: list[int], monitored: bool) -> list[LibAlbum]:
        changed = [self.albums[i] for i in album_ids if i in self.albums]
        for album in changed:
            album.monitored = monitored
        return changed

    # -- commands ----------------------------------------------------------------------

    def queue_command(self, name: str, fields: dict[str, Any], run_at: float) -> CommandRow:
        command = CommandRow(self.next_id("command"), name, fields, now_utc(), run_at)
        self.commands[command.id] = command
        return command

    def _targets(self, command: CommandRow) -> list[LibAlbum]:
        """The albums a search command looks for."""
        if command.name == "AlbumSearch":
            ids = [int(i) for i in command.fields.get("albumIds") or []]
            return [self.albums[i] for i in ids if i in self.albums]
        # ArtistSearch and MissingAlbumSearch: monitored albums without files.
        artist_id = command.fields.get("artistId")
        return [
            album
            for album in self.albums.values()
            if (artist_id is None or album.artist_id == artist_id)
            and album.monitored
            and album.track_files == 0
        ]

    def _run_command(self, command: CommandRow, now: float) -> None:
        if command.name in ("RefreshArtist", "RefreshAlbum"):
            command.message = "Completed"
            return
        grabbed = 0
        for album in self._targets(command):
            album.last_search = now_utc()
            busy = any(d.album_id == album.id for d in self.downloads.values())
            if busy or album.source.mbid in self.config.no_release_albums:
                continue
            self._grab(album, now)
            grabbed += 1
        command.message = f"Completed. {grabbed} reports downloaded."

    # -- downloads ---------------------------------------------------------------------

    def _grab(self, album: LibAlbum, now: float) -> None:
        source = album.source
        title = f"{source.artist_name} - {source.title} ({source.year}) [FLAC]"
        queue_id = self.next_id("queue")
        download = Download(
            id=queue_id,
            download_id=hashlib.sha1(f"{source.mbid}:{queue_id}".encode(), usedforsecurity=False)
            .hexdigest()
            .upper(),
            artist_id=album.artist_id,
            album_id=album.id,
            album=source,
            title=title,
            size=album_size(source),
            added=now_utc(),
            started=now,
            duration=self.config.seconds_per_album,
            import_seconds=self.config.import_seconds,
            fails=source.mbid in self.config.fail_albums
            or self.rng.random() < self.config.failure_rate,
            import_fails=source.mbid in self.config.import_fail_albums,
        )
        self.downloads[download.id] = download
        self._record(download, "grabbed", webhooks.grab_data(download))
        self.events.append(("onGrab", webhooks.grab(self, download)))

    def _record(self, download: Download, event: str, data: dict[str, str]) -> None:
        self.history.append(
            HistoryRow(
                id=self.next_id("history"),
                album_id=download.album_id,
                artist_id=download.artist_id,
                source_title=download.title,
                date=now_utc(),
                download_id=download.download_id,
                event_type=event,
                data=data,
            )
        )

    def fail_download(self, download: Download, message: str) -> None:
        self.downloads.pop(download.id, None)
        self._record(download, "downloadFailed", webhooks.failure_data(download, message))
        self.events.append(("onDownloadFailure", webhooks.download_failure(self, download)))

    def _finish(self, download: Download, now: float) -> None:
        if download.fails and download.fraction(now) >= 0.5:
            self.fail_download(download, "Download failed: the release is incomplete")
            return
        if (
            download.import_failed
            or download.files_due
            or now < download.started + download.duration + download.import_seconds
        ):
            return
        if download.import_fails:
            download.import_failed = True
            download.tracked_status = "warning"
            reason = "Album match is not close enough: 62.5% vs 80%"
            download.status_messages = [{"title": download.title, "messages": [reason]}]
            self._record(download, "albumImportIncomplete", {"statusMessages": reason})
            self.events.append(("onImportFailure", webhooks.import_failure(self)))
            return
        download.files_due = True
        self.imported.append(download.album)

    def record_imports(self) -> None:
        """Record the imports whose files the app has put in place (``imported``).

        Lidarr moves an album's files first and then records the import and sends its
        webhook: a library scan started on that news finds the whole album, never half.
        """
        for download in [d for d in self.downloads.values() if d.files_due]:
            album = self.albums[download.album_id]
            album.track_files = len(download.album.tracks)
            album.size_on_disk = download.size
            self.downloads.pop(download.id, None)
            for track in download.album.tracks:
                path = webhooks.track_path(self.artists[album.artist_id], download.album, track)
                self._record(download, "trackFileImported", {"importedPath": path})
            self._record(download, "downloadImported", {"downloadClient": "qBittorrent"})
            self.events.append(("onReleaseImport", webhooks.imported(self, download)))

    def advance(self, now: float) -> None:
        """Start due commands, finish searches, move downloads on."""
        for command in list(self.commands.values()):
            if command.status == "queued" and command.run_at <= now:
                command.status, command.started, command.started_at = "started", now_utc(), now
            elif (
                command.status == "started"
                and now >= command.started_at + self.config.search_seconds
            ):
                self._run_command(command, now)
                command.status, command.result, command.ended = "completed", "successful", now_utc()
        for download in list(self.downloads.values()):
            self._finish(download, now)

    def history_since(self, since: datetime, event_type: str | None) -> list[HistoryRow]:
        return [
            row
            for row in self.history
            if row.date >= since and (event_type is None or row.event_type == event_type)
        ]


def _monitored_albums(artist: catalogue.Artist, monitor: str, chosen: list[str]) -> set[str]:
    """Lidarr's AlbumMonitoredService: explicit albums win, else the ``monitor`` rule."""
    if chosen:
        return set(chosen)
    by_date = sorted(artist.albums, key=lambda album: album.year)
    if monitor in ("all", "missing"):  # nothing is on disk yet, so missing = all
        return {album.mbid for album in artist.albums}
    if monitor == "first" and by_date:
        return {by_date[0].mbid}
    if monitor == "latest" and by_date:
        return {by_date[-1].mbid}
    return set()  # none, future (all released), existing (nothing on disk), unknown
