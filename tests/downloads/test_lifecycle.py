"""A request's life against the Lidarr and Subsonic simulators: from one POST to playable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from fastapi import FastAPI

from tastemaker.integrations.navidrome.client import NavidromeClient
from tastemaker.simulators import catalogue
from tastemaker.simulators.lidarr.state import SimState
from tests.downloads.conftest import LidarrCalls, PersonFactory, an_album

Fresh = Callable[[], catalogue.Artist]


async def test_an_album_request_ends_playable_in_the_library(
    person: PersonFactory,
    fresh_artist: Fresh,
    sim: SimState,
    downloads_stack: FastAPI,
    lidarr_calls: LidarrCalls,
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)

    created = await bob.request(artist.mbid, album.mbid)

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "queued"
    assert (body["artist_name"], body["album_title"]) == (artist.name, album.title)
    done = await bob.wait_for(body["id"], "completed", "failed")
    assert done["status"] == "completed", done
    assert done["progress"] == 100
    assert done["library_album_id"]
    statuses = [e["status"] for e in done["events"]]
    for step in ("queued", "sent", "searching", "downloading", "importing", "completed"):
        assert step in statuses
    # Only the album asked for: the artist is unmonitored, its other albums too.
    lib_artist = sim.artist_by_mbid(artist.mbid)
    assert lib_artist is not None
    assert not lib_artist.monitored
    monitored = [
        a.source.mbid for a in sim.albums.values() if a.artist_id == lib_artist.id and a.monitored
    ]
    assert monitored == [album.mbid]
    # Playable: Navidrome lists the album with its songs.
    navidrome: NavidromeClient = await downloads_stack.state.services.navidrome()
    listed = await navidrome.album(done["library_album_id"])
    assert listed.name == album.title
    assert len(listed.song) == len(album.tracks)
    assert "POST /api/v1/command" in lidarr_calls.calls


async def test_asking_again_returns_the_same_request(
    person: PersonFactory, fresh_artist: Fresh
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)

    first = await bob.request(artist.mbid, album.mbid)
    again = await bob.request(artist.mbid, album.mbid)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


async def test_fifty_concurrent_identical_requests_make_one(
    person: PersonFactory, fresh_artist: Fresh, lidarr_calls: LidarrCalls, sim: SimState
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)

    answers = await asyncio.gather(*(bob.request(artist.mbid, album.mbid) for _ in range(50)))

    assert sorted(a.status_code for a in answers) == [200] * 49 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    listed = (await bob.get("/api/downloads")).json()
    assert listed["total"] == 1
    assert set(listed) == {"items", "total", "offset", "limit"}
    await bob.wait_for(answers[0].json()["id"], "completed")
    # Never added to Lidarr twice: by this app's calls and by what the simulator holds.
    assert lidarr_calls.calls.count("POST /api/v1/artist") <= 1
    assert len([a for a in sim.artists.values() if a.source.mbid == artist.mbid]) <= 1


async def test_a_second_user_follows_the_download_already_in_flight(
    person: PersonFactory, fresh_artist: Fresh, sim: SimState
) -> None:
    bob, carol = await person("bob"), await person("carol")
    artist = fresh_artist()
    album = an_album(artist)
    sim.config.seconds_per_album = 4.0
    first = (await bob.request(artist.mbid, album.mbid)).json()
    await bob.wait_for(first["id"], "downloading")

    joined = await carol.request(artist.mbid, album.mbid)

    assert joined.status_code == 201
    assert joined.json()["id"] != first["id"]
    assert joined.json()["status"] in ("downloading", "importing")
    assert any("Someone else already asked" in e["message"] for e in joined.json()["events"])
    done = await carol.wait_for(joined.json()["id"], "completed")
    assert done["library_album_id"]
    # Lidarr searched once: one grab for that album.
    lib_album = sim.album_by_mbid(album.mbid)
    assert lib_album is not None
    grabs = [h for h in sim.history if h.event_type == "grabbed" and h.album_id == lib_album.id]
    assert len(grabs) == 1


async def test_an_artist_already_in_lidarr_is_not_added_again(
    person: PersonFactory, fresh_artist: Fresh, sim: SimState, downloads_stack: FastAPI
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)
    lidarr = await downloads_stack.state.services.lidarr()
    await lidarr.add_artist(
        foreign_artist_id=artist.mbid,
        artist_name=artist.name,
        quality_profile_id=1,
        metadata_profile_id=1,
        root_folder_path="/music",
        monitor="none",
    )

    created = (await bob.request(artist.mbid, album.mbid)).json()
    done = await bob.wait_for(created["id"], "completed", "failed")

    assert done["status"] == "completed", done
    assert any("already in Lidarr" in e["message"] for e in done["events"])
    assert len([a for a in sim.artists.values() if a.source.mbid == artist.mbid]) == 1


async def test_a_whole_artist_request_is_added_with_the_admins_defaults(
    person: PersonFactory, fresh_artist: Fresh, sim: SimState
) -> None:
    bob = await person("bob")
    artist = fresh_artist()

    created = await bob.request(artist.mbid)

    assert created.status_code == 201
    assert created.json()["album_title"] is None
    done = await bob.wait_for(created.json()["id"], "completed", "failed", within=30)
    assert done["status"] == "completed", done
    lib = sim.artist_by_mbid(artist.mbid)
    assert lib is not None
    assert lib.monitored
    assert lib.root_folder_path == "/music"
    # Completed with the first album listed, and it says the rest is still coming.
    # (Notes may follow it, e.g. the songs going into the discoveries playlist.)
    completion = next(e for e in done["events"] if e["status"] == "completed")
    assert completion["message"] == (
        "In your library — Lidarr keeps fetching the rest of the discography"
    )


async def test_a_failed_download_says_why_and_retry_searches_again(
    person: PersonFactory, fresh_artist: Fresh, sim: SimState
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)
    sim.config.fail_albums = sim.config.fail_albums | {album.mbid}

    created = (await bob.request(artist.mbid, album.mbid)).json()
    failed = await bob.wait_for(created["id"], "failed", "completed")

    assert failed["status"] == "failed"
    assert failed["error"] == "The download failed: Download failed: the release is incomplete"

    sim.config.fail_albums = sim.config.fail_albums - {album.mbid}
    retried = await bob.post(f"/api/downloads/{created['id']}/retry")
    assert retried.status_code == 200
    assert retried.json()["status"] == "queued"
    done = await bob.wait_for(created["id"], "completed", "failed")
    assert done["status"] == "completed", done
    assert done["error"] is None


async def test_no_release_found_fails_after_the_search_timeout(
    person: PersonFactory, fresh_artist: Fresh, sim: SimState
) -> None:
    bob = await person("bob")
    admin = await person("root", admin=True)
    artist = fresh_artist()
    album = an_album(artist)
    sim.config.no_release_albums = sim.config.no_release_albums | {album.mbid}
    saved = await admin.http.put(
        "/api/downloads/settings",
        json={"search_timeout_minutes": 0.02},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert saved.status_code == 200, saved.text

    created = (await bob.request(artist.mbid, album.mbid)).json()
    failed = await bob.wait_for(created["id"], "failed", "completed")

    assert failed["error"].startswith("No release found")


async def test_a_request_made_while_lidarr_is_down_goes_through_when_it_is_back(
    person: PersonFactory, fresh_artist: Fresh, sim: SimState
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)
    sim.config.faults.status_code = 503

    created = await bob.request(artist.mbid, album.mbid)

    assert created.status_code == 201
    download = created.json()
    assert download["status"] == "queued"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        current = (await bob.get(f"/api/downloads/{download['id']}")).json()
        if current["attempts"] >= 2:
            break
        await asyncio.sleep(0.05)
    assert current["status"] == "queued"
    assert "Lidarr" in current["error"]
    assert any("Trying again" in e["message"] for e in current["events"])

    sim.config.faults.status_code = None
    done = await bob.wait_for(download["id"], "completed", "failed")
    assert done["status"] == "completed", done
    assert (done["artist_name"], done["album_title"]) == (artist.name, album.title)


async def test_cancel_stops_monitoring_and_removes_the_queue_item(
    person: PersonFactory, fresh_artist: Fresh, sim: SimState
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)
    sim.config.seconds_per_album = 30.0
    created = (await bob.request(artist.mbid, album.mbid)).json()
    await bob.wait_for(created["id"], "downloading")

    cancelled = await bob.post(f"/api/downloads/{created['id']}/cancel")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    lib_album = sim.album_by_mbid(album.mbid)
    assert lib_album is not None
    assert not lib_album.monitored
    assert not [d for d in sim.downloads.values() if d.album_id == lib_album.id]
    again = await bob.post(f"/api/downloads/{created['id']}/cancel")
    assert again.status_code == 409


async def test_users_see_only_their_own_requests_and_admins_see_all(
    person: PersonFactory, fresh_artist: Fresh
) -> None:
    bob, carol = await person("bob"), await person("carol")
    root = await person("root", admin=True)
    artist = fresh_artist()
    mine = (await bob.request(artist.mbid, an_album(artist).mbid)).json()

    assert (await carol.get(f"/api/downloads/{mine['id']}")).status_code == 404
    assert (await carol.get("/api/downloads")).json()["total"] == 0
    assert (await root.get(f"/api/downloads/{mine['id']}")).status_code == 200
    assert (await root.get("/api/downloads")).json()["total"] == 1
    problem = await carol.post(f"/api/downloads/{mine['id']}/cancel")
    assert problem.status_code == 404
    assert problem.headers["content-type"].startswith("application/problem+json")


async def test_a_completed_album_shows_in_the_library_listing_at_once(
    person: PersonFactory, fresh_artist: Fresh, downloads_stack: FastAPI
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    before = await bob.http.get("/api/library/artists", params={"limit": 500})
    assert artist.name not in [a["name"] for a in before.json()["items"]]  # now cached

    created = await bob.request(artist.mbid, an_album(artist).mbid)
    done = await bob.wait_for(created.json()["id"], "completed", "failed")

    assert done["status"] == "completed", done
    after = await bob.http.get("/api/library/artists", params={"limit": 500})
    assert artist.name in [a["name"] for a in after.json()["items"]]
