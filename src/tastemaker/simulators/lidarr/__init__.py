"""A stateful Lidarr stand-in: lookups from the catalogue, downloads over time, webhooks."""

from .app import create_app
from .config import Faults, LidarrSimConfig, OnImport

__all__ = ["Faults", "LidarrSimConfig", "OnImport", "create_app"]
