"""Playlists through the app, against supysonic and the Subsonic simulator: listed and
opened from the user's own Navidrome account, the discoveries playlist filled once per
song and cleared, the pages, and Navidrome being down."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from tastemaker.auth.models import Role, User
from tastemaker.playlists import discoveries
from tastemaker.playlists.models import DiscoveryPlaylist
from tests.conftest import api_login, make_user
from tests.servers.navidrome import SubsonicServer

SONG_FIELDS = {"id", "title", "album_id", "duration"}


@dataclass
class Peer:
    name: str
    app: FastAPI
    http: httpx.AsyncClient
    other_account: SubsonicServer  # a second Navidrome account on the same server


@pytest.fixture(params=["supysonic", "simulator"])
def peer(request: pytest.FixtureRequest, database_url: str) -> Peer:
    """The app on supysonic (shared account ``alice``) or on the simulator (``demo``).

    ``database_url`` is named so each runs on SQLite and PostgreSQL.
    """
    if request.param == "supysonic":
        app = request.getfixturevalue("supy_app")
        http = request.getfixturevalue("supy_client")
        other = request.getfixturevalue("supysonic_second_user")
    else:
        app = request.getfixturevalue("stack_app")
        http = request.getfixturevalue("stack_client")
        sim_stack = request.getfixturevalue("sim_stack")
        other = SubsonicServer(sim_stack.navidrome_url, "guest", "guest-listener")
    return Peer(request.param, app, http, other)


async def _sign_in(peer: Peer, name: str = "alice", role: Role = Role.ADMIN) -> User:
    user = await make_user(peer.app, name, role)
    peer.http.headers["X-CSRF-Token"] = await api_login(peer.http, name)
    return user


async def _link(app: FastAPI, user: User, account: SubsonicServer) -> User:
    """Link ``user`` to their own Navidrome account, as Settings → Profile does."""
    async with app.state.db.sessionmaker() as session:
        row: User | None = await session.get(User, user.id)
        assert row is not None
        row.navidrome_username = account.user
        row.navidrome_password_encrypted = app.state.secret_box.encrypt(account.password)
        await session.commit()
        await session.refresh(row)
        return row


async def _album_song_ids(http: httpx.AsyncClient, offset: int) -> list[str]:
    albums = (await http.get("/api/library/albums", params={"limit": 1, "offset": offset})).json()
    album = (await http.get(f"/api/library/albums/{albums['items'][0]['id']}")).json()
    return [song["id"] for song in album["songs"]]


async def _add(app: FastAPI, user: User, name: str, song_ids: list[str]) -> discoveries.Added:
    async with app.state.db.sessionmaker() as session:
        navidrome = await app.state.services.navidrome(user)
        return await discoveries.add(session, navidrome, user.id, name, song_ids)


async def _delete_playlist(app: FastAPI, user: User, playlist_id: str) -> None:
    await (await app.state.services.navidrome(user)).delete_playlist(playlist_id)


async def test_the_discoveries_playlist_gets_each_song_once_and_can_be_cleared(
    peer: Peer,
) -> None:
    alice = await _sign_in(peer)
    name = f"Discoveries {uuid.uuid4().hex[:6]}"
    await peer.http.put("/api/settings/preferences", json={"discoveries_playlist_name": name})
    songs = await _album_song_ids(peer.http, offset=1)

    first = await _add(peer.app, alice, name, songs)
    again = await _add(peer.app, alice, name, songs)  # the same album a second time
    try:
        assert (first.count, again.count) == (len(songs), 0)
        assert first.playlist_id == again.playlist_id

        listed = (await peer.http.get("/api/library/playlists")).json()
        assert {"items", "total", "offset", "limit"} <= set(listed)
        mine = [p for p in listed["items"] if p["discoveries"]]
        assert [(p["id"], p["name"], p["song_count"]) for p in mine] == [
            (first.playlist_id, name, len(songs))
        ]
        detail = (await peer.http.get(f"/api/library/playlists/{first.playlist_id}")).json()
        assert [song["id"] for song in detail["songs"]] == songs
        assert all(set(song) >= SONG_FIELDS for song in detail["songs"])

        cleared = await peer.http.post("/api/library/playlists/discoveries/clear")

        assert cleared.status_code == 200, cleared.text
        assert cleared.json() == {"playlist_id": first.playlist_id, "removed": len(songs)}
        emptied = (await peer.http.get(f"/api/library/playlists/{first.playlist_id}")).json()
        assert emptied["songs"] == []
        assert emptied["discoveries"] is True
    finally:
        await _delete_playlist(peer.app, alice, first.playlist_id)


async def test_a_linked_user_keeps_the_playlist_in_their_own_navidrome_account(
    peer: Peer,
) -> None:
    alice = await _sign_in(peer)  # speaks as the shared account
    bob = await _link(peer.app, await make_user(peer.app, "bob"), peer.other_account)
    songs = await _album_song_ids(peer.http, offset=2)

    name = f"Bob's discoveries {uuid.uuid4().hex[:6]}"
    added = await _add(peer.app, bob, name, songs[:2])
    try:
        bobs = await (await peer.app.state.services.navidrome(bob)).playlist(added.playlist_id)
        assert bobs.owner == peer.other_account.user
        assert [song.id for song in bobs.entry] == songs[:2]
        # Alice's own discoveries are another playlist, in the shared account.
        alices = await _add(peer.app, alice, name, songs[:1])
        assert alices.playlist_id != added.playlist_id
        await _delete_playlist(peer.app, alice, alices.playlist_id)
    finally:
        await _delete_playlist(peer.app, bob, added.playlist_id)


async def test_the_playlists_page_lists_opens_and_clears(peer: Peer) -> None:
    alice = await _sign_in(peer)
    name = f"Discoveries {uuid.uuid4().hex[:6]}"  # the servers outlive the test
    await peer.http.put("/api/settings/preferences", json={"discoveries_playlist_name": name})
    songs = await _album_song_ids(peer.http, offset=3)
    added = await _add(peer.app, alice, name, songs)
    try:
        page = await peer.http.get("/library/playlists")

        assert page.status_code == 200
        assert name in page.text
        assert f"Songs of your requests go into “{name}”" in page.text
        assert "Your discoveries" in page.text
        assert f'data-playlist-id="{added.playlist_id}"' in page.text
        tab = page.text.split('aria-label="Library sections"')[1].split("</nav>")[0]
        assert 'data-variant="secondary" aria-current="page">' in tab.split("Starred")[1]

        opened = await peer.http.get(f"/library/playlists/{added.playlist_id}")
        assert opened.status_code == 200
        assert 'data-player="play"' in opened.text  # play all
        assert opened.text.count("data-track ") == len(songs)
        assert "Clear the playlist" in opened.text

        token = peer.http.headers["X-CSRF-Token"]
        del peer.http.headers["X-CSRF-Token"]
        refused = await peer.http.post("/library/playlists/discoveries/clear")
        assert refused.status_code == 403  # no CSRF token: nothing cleared
        cleared = await peer.http.post(
            "/library/playlists/discoveries/clear", data={"csrf_token": token}
        )
        assert cleared.status_code == 303
        assert cleared.headers["location"].endswith(f"/library/playlists/{added.playlist_id}")
        after = await peer.http.get(cleared.headers["location"])
        assert f"Cleared: {len(songs)} songs taken out" in after.text
        assert "Nothing here yet" in after.text
    finally:
        await _delete_playlist(peer.app, alice, added.playlist_id)


async def test_an_account_without_playlists_sees_the_empty_state(
    supy_app: FastAPI, supy_client: httpx.AsyncClient, supysonic_second_user: SubsonicServer
) -> None:
    peer = Peer("supysonic", supy_app, supy_client, supysonic_second_user)
    await _link(supy_app, await _sign_in(peer, "bob", Role.USER), supysonic_second_user)

    listed = (await supy_client.get("/api/library/playlists")).json()
    page = await supy_client.get("/library/playlists")

    assert listed == {"items": [], "total": 0, "offset": 0, "limit": 100}
    assert "No playlists yet" in page.text
    assert "Tastemaker Discoveries" in page.text  # says where discoveries will go


async def test_navidrome_down_playlists_answer_a_problem_and_the_page_explains(
    down_app: FastAPI, down_client: httpx.AsyncClient
) -> None:
    alice = await make_user(down_app, "alice")
    down_client.headers["X-CSRF-Token"] = await api_login(down_client, "alice")
    async with down_app.state.db.sessionmaker() as session:  # made while Navidrome was up
        session.add(DiscoveryPlaylist(user_id=alice.id, navidrome_user="nobody", playlist_id="p1"))
        await session.commit()

    listed = await down_client.get("/api/library/playlists")
    cleared = await down_client.post("/api/library/playlists/discoveries/clear")
    page = await down_client.get("/library/playlists")
    form = await down_client.post(
        "/library/playlists/discoveries/clear",
        data={"csrf_token": down_client.headers["X-CSRF-Token"]},
    )

    for problem in (listed, cleared):
        assert problem.status_code == 503
        assert problem.headers["content-type"] == "application/problem+json"
        assert problem.json()["service"] == "navidrome"
    assert page.status_code == 503
    assert "Navidrome is not answering" in page.text
    assert form.status_code == 303
    flashed = await down_client.get(form.headers["location"])
    assert "Not cleared: Could not reach Navidrome" in flashed.text
