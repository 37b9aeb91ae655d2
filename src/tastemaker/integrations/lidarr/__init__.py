"""Lidarr: the typed async client Tastemaker uses to add, search and follow downloads."""

from .client import DEFAULT_TIMEOUT, LidarrClient
from .models import (
    Album,
    Artist,
    Command,
    HistoryRecord,
    MetadataProfile,
    Notification,
    QualityProfile,
    QueueItem,
    QueuePage,
    RootFolder,
    SystemStatus,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "Album",
    "Artist",
    "Command",
    "HistoryRecord",
    "LidarrClient",
    "MetadataProfile",
    "Notification",
    "QualityProfile",
    "QueueItem",
    "QueuePage",
    "RootFolder",
    "SystemStatus",
]
