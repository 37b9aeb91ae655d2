"""System methods: ping, licence, extensions, music folders, the user, and library scans.

``startScan`` behaves like Navidrome's (``library_scanning.go``): admin only, it
starts the scan in the background and answers with the current status at once;
callers poll ``getScanStatus`` until ``scanning`` is false and ``lastScan`` moved.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from tastemaker.simulators.subsonic.auth import require_admin
from tastemaker.simulators.subsonic.context import Ctx, Simulator, method
from tastemaker.simulators.subsonic.responses import SubsonicError, iso

EXTENSIONS = (
    ("transcodeOffset", [1]),
    ("formPost", [1]),
    ("songLyrics", [1]),
    ("indexBasedQueue", [1]),
    ("transcoding", [1]),
    ("playbackReport", [1]),
    ("topSongsByArtistId", [1]),
)
MUSIC_FOLDER_ID = 1


@method("ping")
async def ping(ctx: Ctx) -> dict[str, Any]:
    return {}


@method("getLicense")
async def get_license(ctx: Ctx) -> dict[str, Any]:
    return {"license": {"valid": True}}


@method("getOpenSubsonicExtensions")
async def get_extensions(ctx: Ctx) -> dict[str, Any]:
    return {
        "openSubsonicExtensions": [
            {"name": name, "versions": versions} for name, versions in EXTENSIONS
        ]
    }


@method("getMusicFolders")
async def get_music_folders(ctx: Ctx) -> dict[str, Any]:
    return {
        "musicFolders": {
            "musicFolder": [{"id": MUSIC_FOLDER_ID, "name": ctx.sim.config.folder_name}]
        }
    }


@method("getUser")
async def get_user(ctx: Ctx) -> dict[str, Any]:
    username = ctx.require("username")
    # Navidrome answers only for the caller's own name, even to admins.
    if username != ctx.username:
        raise SubsonicError(50, "User not authorized")
    account = ctx.account
    assert account is not None
    return {
        "user": {
            "username": account.username,
            "email": account.email,
            "scrobblingEnabled": True,
            "adminRole": account.admin,
            "settingsRole": True,
            "downloadRole": True,
            "uploadRole": False,
            "playlistRole": True,
            "coverArtRole": True,
            "commentRole": True,
            "podcastRole": False,
            "streamRole": True,
            "jukeboxRole": False,
            "shareRole": False,
            "videoConversionRole": False,
            "folder": [MUSIC_FOLDER_ID],
        }
    }


def scan_status(sim: Simulator) -> dict[str, Any]:
    running = sim.scan_task is not None and not sim.scan_task.done()
    status: dict[str, Any] = {
        "scanning": running,
        "count": len(sim.library.songs),
        "folderCount": len(sim.library.albums),
        "lastScan": iso(sim.library.last_scan),
        "scanType": "quick",
    }
    if sim.scan_started is not None:
        status["elapsedTime"] = int((datetime.now(UTC) - sim.scan_started).total_seconds() * 1000)
    return {"scanStatus": status}


async def _scan(sim: Simulator) -> None:
    # Reading tags is blocking file IO; the library is updated here, on the loop,
    # so requests never see an index half rebuilt.
    from tastemaker.simulators.subsonic.scanner import scan_new_files

    library = sim.library
    if library.root is None:
        library.rescan()
        return
    root = library.root
    known = {song.file for song in library.songs.values() if song.file is not None}
    found = await asyncio.to_thread(lambda: list(scan_new_files(root, known)))
    library.add_scanned(found)


@method("startScan")
async def start_scan(ctx: Ctx) -> dict[str, Any]:
    require_admin(ctx)
    sim = ctx.sim
    if sim.scan_task is None or sim.scan_task.done():
        sim.scan_started = datetime.now(UTC)
        sim.scan_task = asyncio.get_running_loop().create_task(_scan(sim))
    await asyncio.sleep(0)  # let the scan begin, as Navidrome waits for it to start
    return scan_status(sim)


@method("getScanStatus")
async def get_scan_status(ctx: Ctx) -> dict[str, Any]:
    require_admin(ctx)
    return scan_status(ctx.sim)
