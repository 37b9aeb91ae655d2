"""The discoveries playlist in Settings → Preferences: on by default with its name,
renamed in Navidrome as soon as the name changes, turned off from the page."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tastemaker.auth.models import Role
from tastemaker.playlists import discoveries
from tests.conftest import api_login, make_user


async def test_a_new_name_renames_the_playlist_in_navidrome(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    alice = await make_user(stack_app, "alice", Role.ADMIN)
    stack_client.headers["X-CSRF-Token"] = await api_login(stack_client, "alice")
    defaults = (await stack_client.get("/api/settings/preferences")).json()
    assert defaults["discoveries_playlist"] is True
    assert defaults["discoveries_playlist_name"] == "Tastemaker Discoveries"
    navidrome = await stack_app.state.services.navidrome(alice)
    album = (await navidrome.album_list("alphabeticalByName", size=1, offset=4)).album[0]
    songs = discoveries.song_ids(await navidrome.album(album.id))
    async with stack_app.state.db.sessionmaker() as session:  # a name no earlier test left
        added = await discoveries.add(session, navidrome, alice.id, "Before renaming", songs)
    try:
        changed = await stack_client.put(
            "/api/settings/preferences", json={"discoveries_playlist_name": "  New to me  "}
        )

        assert changed.status_code == 200, changed.text
        assert changed.json()["discoveries_playlist_name"] == "New to me"
        assert (await navidrome.playlist(added.playlist_id)).name == "New to me"
        blank = await stack_client.put(
            "/api/settings/preferences", json={"discoveries_playlist_name": " "}
        )
        assert blank.status_code == 422
        assert blank.headers["content-type"] == "application/problem+json"
        assert blank.json()["errors"][0]["field"] == "discoveries_playlist_name"
    finally:
        await navidrome.delete_playlist(added.playlist_id)


async def test_the_preferences_page_turns_the_playlist_off(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    await make_user(stack_app, "bob", Role.USER)
    token = await api_login(stack_client, "bob")
    page = await stack_client.get("/settings/preferences")
    assert "Discoveries playlist" in page.text
    assert 'name="discoveries_playlist" value="on" checked' in page.text

    saved = await stack_client.post(
        "/settings/preferences",
        data={
            "csrf_token": token,
            "release_types": "album",
            "recommendation_kinds": "both",
            "refresh_schedule": "off",
            "discoveries_playlist_name": "Mine",
        },
    )

    assert saved.status_code == 200, saved.text
    stored = (await stack_client.get("/api/settings/preferences")).json()
    assert (stored["discoveries_playlist"], stored["discoveries_playlist_name"]) == (False, "Mine")
    assert 'name="discoveries_playlist" value="on">' in saved.text  # shown unchecked
