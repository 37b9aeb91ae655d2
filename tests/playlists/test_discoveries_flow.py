"""A request that completes puts its album's songs into the discoveries playlist of the
user who asked, in their own Navidrome account, and says so in the request's timeline.

One real download (Lidarr simulator → sample library → Subsonic simulator), asked for
by two users: one speaking as the shared account, one linked to their own account.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from tastemaker.auth.models import User
from tastemaker.auth.service import get_user_by_name
from tastemaker.simulators import catalogue
from tests.downloads.conftest import Person, PersonFactory, an_album

Fresh = Callable[[], catalogue.Artist]
# Not the default name: the simulator outlives the test, and earlier download tests'
# completions left "Tastemaker Discoveries" playlists in its shared account.
NAME = "Discoveries of the flow test"


async def _timeline_says(person: Person, download_id: int, within: float = 90.0) -> str:
    deadline = time.monotonic() + within
    events: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        events = (await person.get(f"/api/downloads/{download_id}")).json()["events"]
        said = [e["message"] for e in events if NAME in e["message"]]
        if said:
            return str(said[-1])
        await asyncio.sleep(0.1)
    raise AssertionError(f"no playlist event for request {download_id}: {events}")


async def _discoveries(person: Person) -> dict[str, Any]:
    listed = (await person.get("/api/library/playlists")).json()
    mine = [p for p in listed["items"] if p["discoveries"]]
    assert len(mine) == 1, listed
    detail: dict[str, Any] = (await person.get(f"/api/library/playlists/{mine[0]['id']}")).json()
    return detail


async def test_a_completed_request_fills_each_requesters_discoveries_playlist(
    person: PersonFactory, fresh_artist: Fresh, downloads_stack: FastAPI
) -> None:
    bob = await person("bob")  # the shared Navidrome account ("demo")
    carol = await person("carol")
    async with downloads_stack.state.db.sessionmaker() as session:  # her own: "guest"
        user = await get_user_by_name(session, "carol")
        assert user is not None
        user.navidrome_username = "guest"
        user.navidrome_password_encrypted = downloads_stack.state.secret_box.encrypt(
            "guest-listener"
        )
        await session.commit()
    for who in (bob, carol):
        await who.http.put(
            "/api/settings/preferences",
            json={"discoveries_playlist_name": NAME},
            headers={"X-CSRF-Token": who.csrf},
        )
    artist = fresh_artist()
    album = an_album(artist)

    bobs = (await bob.request(artist.mbid, album.mbid)).json()
    carols = (await carol.request(artist.mbid, album.mbid)).json()
    done = await bob.wait_for(bobs["id"], "completed", "failed")
    assert done["status"] == "completed", done
    await carol.wait_for(carols["id"], "completed")

    tracks = len(album.tracks)
    assert await _timeline_says(bob, bobs["id"]) == f"Added {tracks} tracks to {NAME}"
    assert await _timeline_says(carol, carols["id"]) == f"Added {tracks} tracks to {NAME}"
    album_songs = (await bob.get(f"/api/library/albums/{done['library_album_id']}")).json()
    expected = [song["id"] for song in album_songs["songs"]]
    bob_list, carol_list = await _discoveries(bob), await _discoveries(carol)
    try:
        assert [s["id"] for s in bob_list["songs"]] == expected
        assert [s["id"] for s in carol_list["songs"]] == expected
        assert (bob_list["owner"], carol_list["owner"]) == ("demo", "guest")
        # "Play now" still finds the album, whatever the timeline says after completing.
        again = (await bob.get(f"/api/downloads/{bobs['id']}")).json()
        assert again["library_album_id"] == done["library_album_id"]
    finally:  # the simulator outlives the test: leave no playlist behind
        async with downloads_stack.state.db.sessionmaker() as session:
            for name, playlist in (("bob", bob_list), ("carol", carol_list)):
                owner: User | None = await get_user_by_name(session, name)
                navidrome = await downloads_stack.state.services.navidrome(owner)
                await navidrome.delete_playlist(playlist["id"])
