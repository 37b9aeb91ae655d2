"""A stateful Lidarr stand-in: lookups from the catalogue, downloads over time, webhooks."""

from tastemaker.simulators.faults import Faults

from .app import create_app
from .config import LidarrSimConfig, OnImport

__all__ = ["Faults", "LidarrSimConfig", "OnImport", "create_app"]
