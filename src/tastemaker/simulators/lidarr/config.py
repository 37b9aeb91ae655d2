"""How a simulated Lidarr behaves: its key, its speed, what fails, and injected faults
(``Faults``, shared with the Subsonic simulator: see ``simulators/faults.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tastemaker.simulators import catalogue
from tastemaker.simulators.faults import Faults

OnImport = Callable[[catalogue.Album], Awaitable[None]]


@dataclass
class LidarrSimConfig:
    """Everything a test or the demo may tune. Defaults suit the demo (visible progress)."""

    api_key: str = "tastemaker-demo-lidarr-key"
    instance_name: str = "Lidarr"
    version: str = "2.13.3.4711"
    application_url: str = ""
    root_folder: str = "/music"
    # AlbumSearch: how long the search takes before a release is grabbed.
    search_seconds: float = 1.0
    # Download: how long an album takes from grab to fully downloaded.
    seconds_per_album: float = 20.0
    # Completed download → imported (the state "importing" in the queue).
    import_seconds: float = 1.0
    # A newly added artist's albums appear only after this refresh delay, like in
    # Lidarr, where the album list is loaded by a RefreshArtist after the add.
    refresh_seconds: float = 0.0
    # Share of downloads that fail (seeded, so a run is reproducible).
    failure_rate: float = 0.0
    seed: int = 1
    # Release-group MBIDs: searches find nothing / downloads fail / imports fail.
    no_release_albums: frozenset[str] = frozenset()
    fail_albums: frozenset[str] = frozenset()
    import_fail_albums: frozenset[str] = frozenset()
    # How often the simulator advances downloads and commands.
    tick_seconds: float = 0.05
    faults: Faults = field(default_factory=Faults)
