"""An album Lidarr imported but Navidrome never lists: the request fails after the
library timeout, saying what to check, and retry looks in the library again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tastemaker.simulators import catalogue
from tastemaker.simulators.lidarr.state import Download, SimState
from tastemaker.simulators.sample_library import write_album
from tests.downloads.conftest import PersonFactory, an_album
from tests.servers.stack import CLIP_SECONDS, SimStack

Fresh = Callable[[], catalogue.Artist]


def import_outside_the_library(
    sim: SimState, album: catalogue.Album, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lidarr imports the album (history, webhook, files on its disk), but into a
    folder Navidrome does not read: the files never reach the library."""
    finish = sim._finish

    def finish_elsewhere(download: Download, now: float) -> None:
        finish(download, now)
        sim.imported[:] = [a for a in sim.imported if a.mbid != album.mbid]

    monkeypatch.setattr(sim, "_finish", finish_elsewhere)


async def test_an_import_navidrome_never_lists_fails_with_what_to_check_and_retry_rechecks(
    person: PersonFactory,
    fresh_artist: Fresh,
    sim: SimState,
    sim_stack: SimStack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = await person("root", admin=True)
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)
    import_outside_the_library(sim, album, monkeypatch)
    saved = await root.http.put(
        "/api/downloads/settings",
        json={"library_timeout_minutes": 0.02},
        headers={"X-CSRF-Token": root.csrf},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["library_timeout_minutes"] == 0.02

    created = (await bob.request(artist.mbid, album.mbid)).json()
    failed = await bob.wait_for(created["id"], "failed", "completed")

    assert failed["status"] == "failed", failed
    assert failed["error"] == (
        "Lidarr imported it, but Navidrome does not list it after 0.02 minutes — "
        "check that Navidrome's music folder is Lidarr's root folder, then retry"
    )
    assert "importing" in [e["status"] for e in failed["events"]]
    lib_album = sim.album_by_mbid(album.mbid)
    assert lib_album is not None
    assert lib_album.track_files == len(album.tracks)  # Lidarr does have it

    # The admin points Navidrome at the right folder: the files show up there.
    monkeypatch.undo()
    await asyncio.to_thread(write_album, sim_stack.music_dir, album, clip_seconds=CLIP_SECONDS)
    await root.http.put(
        "/api/downloads/settings",
        json={"library_timeout_minutes": 5},
        headers={"X-CSRF-Token": root.csrf},
    )
    retried = await bob.post(f"/api/downloads/{created['id']}/retry")

    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "importing"
    assert retried.json()["error"] is None
    done = await bob.wait_for(created["id"], "completed", "failed", within=30)
    assert done["status"] == "completed", done
    assert done["library_album_id"]
    # Re-checked, not searched again: Lidarr grabbed the album once.
    grabs = [h for h in sim.history if h.event_type == "grabbed" and h.album_id == lib_album.id]
    assert len(grabs) == 1


async def test_the_library_timeout_is_an_admin_setting_within_bounds(
    person: PersonFactory,
) -> None:
    root = await person("root", admin=True)
    bob = await person("bob")

    default = (await root.get("/api/downloads/settings")).json()
    too_long = await root.http.put(
        "/api/downloads/settings",
        json={"library_timeout_minutes": 8 * 24 * 60},
        headers={"X-CSRF-Token": root.csrf},
    )
    by_user = await bob.http.put(
        "/api/downloads/settings",
        json={"library_timeout_minutes": 1},
        headers={"X-CSRF-Token": bob.csrf},
    )
    form = await root.post(
        "/downloads/settings",
        data={"weekly_limit": "0", "search_timeout_minutes": "30", "library_timeout_minutes": "45"},
    )

    assert default["library_timeout_minutes"] == 30
    assert too_long.status_code == 422
    assert by_user.status_code == 403
    assert form.status_code in (302, 303)
    assert (await root.get("/api/downloads/settings")).json()["library_timeout_minutes"] == 45
    page = await root.get("/downloads/approvals")
    assert 'name="library_timeout_minutes"' in page.text
