"""The simulated Lidarr's fixed settings: system status, root folder, profiles, connections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .config import LidarrSimConfig
from .resources import JSON, iso

_PASSWORD_MASK = "********"  # noqa: S105  # Lidarr never sends a stored password back


def system_status(config: LidarrSimConfig, started: datetime) -> JSON:
    return {
        "appName": "Lidarr",
        "instanceName": config.instance_name,
        "version": config.version,
        "buildTime": "2025-10-01T00:00:00Z",
        "isDebug": False,
        "isProduction": True,
        "isAdmin": False,
        "isUserInteractive": False,
        "startupPath": "/app/lidarr/bin",
        "appData": "/config",
        "osName": "debian",
        "osVersion": "12",
        "isNetCore": True,
        "isLinux": True,
        "isOsx": False,
        "isWindows": False,
        "isDocker": True,
        "mode": "console",
        "branch": "master",
        "databaseType": "sqLite",
        "databaseVersion": "3.46.1",
        "authentication": "forms",
        "migrationVersion": 80,
        "urlBase": "",
        "runtimeVersion": "8.0.12",
        "runtimeName": ".NET",
        "startTime": iso(started),
        "packageUpdateMechanism": "docker",
    }


def root_folders(config: LidarrSimConfig) -> list[JSON]:
    return [
        {
            "id": 1,
            "name": "Music",
            "path": config.root_folder,
            "defaultMetadataProfileId": 1,
            "defaultQualityProfileId": 1,
            "defaultMonitorOption": "all",
            "defaultNewItemMonitorOption": "all",
            "defaultTags": [],
            "accessible": True,
            "freeSpace": 1_500_000_000_000,
            "totalSpace": 4_000_000_000_000,
        }
    ]


def _quality_profile(profile_id: int, name: str, qualities: list[tuple[int, str]]) -> JSON:
    return {
        "id": profile_id,
        "name": name,
        "upgradeAllowed": False,
        "cutoff": qualities[-1][0],
        "items": [
            {"quality": {"id": qid, "name": qname}, "items": [], "allowed": True}
            for qid, qname in qualities
        ],
        "minFormatScore": 0,
        "cutoffFormatScore": 0,
        "formatItems": [],
    }


QUALITY_PROFILES: list[JSON] = [
    _quality_profile(1, "Any", [(1, "MP3-192"), (4, "MP3-320"), (6, "FLAC")]),
    _quality_profile(2, "Lossless", [(6, "FLAC"), (21, "FLAC 24bit")]),
    _quality_profile(3, "Standard", [(1, "MP3-192"), (4, "MP3-320")]),
]

_PRIMARY = [(0, "Album"), (1, "EP"), (2, "Single"), (3, "Broadcast"), (4, "Other")]
_SECONDARY = [(0, "Studio"), (1, "Compilation"), (3, "Live"), (4, "Remix")]


def _metadata_profile(profile_id: int, name: str, allowed: bool) -> JSON:
    return {
        "id": profile_id,
        "name": name,
        "primaryAlbumTypes": [
            {"id": i, "albumType": {"id": i, "name": n}, "allowed": allowed} for i, n in _PRIMARY
        ],
        "secondaryAlbumTypes": [
            {"id": i, "albumType": {"id": i, "name": n}, "allowed": allowed} for i, n in _SECONDARY
        ],
        "releaseStatuses": [
            {"id": 0, "releaseStatus": {"id": 0, "name": "Official"}, "allowed": allowed}
        ],
    }


# "None" allows no album types: an artist on it keeps only albums added by hand.
METADATA_PROFILES: list[JSON] = [
    _metadata_profile(1, "Standard", True),
    _metadata_profile(2, "None", False),
]

_FLAGS = (
    "onGrab",
    "onReleaseImport",
    "onUpgrade",
    "onRename",
    "onArtistAdd",
    "onArtistDelete",
    "onAlbumDelete",
    "onHealthIssue",
    "onHealthRestored",
    "onDownloadFailure",
    "onImportFailure",
    "onTrackRetag",
    "onApplicationUpdate",
    "includeHealthWarnings",
)


def notification(body: dict[str, Any], notification_id: int) -> JSON:
    """A stored connection: what was posted, with Lidarr's descriptive fields added."""
    resource: JSON = {
        "id": notification_id,
        "name": str(body.get("name") or ""),
        "fields": [
            {"name": f.get("name"), "value": f.get("value")} for f in body.get("fields") or []
        ],
        "implementationName": str(body.get("implementation") or ""),
        "implementation": str(body.get("implementation") or ""),
        "configContract": str(body.get("configContract") or ""),
        "infoLink": "https://wiki.servarr.com/lidarr/supported#webhook",
        "tags": [int(tag) for tag in body.get("tags") or []],
    }
    for flag in _FLAGS:
        resource[flag] = bool(body.get(flag))
        if flag.startswith("on"):
            resource[f"supportsOn{flag[2:]}"] = True
    return resource


def masked(resource: JSON) -> JSON:
    fields = [
        {**f, "value": _PASSWORD_MASK} if f.get("name") == "password" and f.get("value") else f
        for f in resource.get("fields") or []
    ]
    return {**resource, "fields": fields}
