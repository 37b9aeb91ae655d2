"""A Navidrome stand-in speaking the Subsonic/OpenSubsonic API, for the demo and the tests.

>>> library = Library.from_directory(music_root)          # tagged files, rescannable
>>> library = Library.from_catalogue(large_library())    # metadata only, 100,000 tracks
>>> app = create_app(library, SubsonicConfig())
"""

from tastemaker.simulators.subsonic.app import create_app, create_app_for_directory
from tastemaker.simulators.subsonic.context import DEFAULT_ACCOUNTS, SubsonicConfig
from tastemaker.simulators.subsonic.library import Library
from tastemaker.simulators.subsonic.state import Account

__all__ = [
    "DEFAULT_ACCOUNTS",
    "Account",
    "Library",
    "SubsonicConfig",
    "create_app",
    "create_app_for_directory",
]
