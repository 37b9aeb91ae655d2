"""Listings are cached per user for a short while and dropped after a scan; playlists."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from tastemaker.auth.models import Role
from tastemaker.library.cache import LibraryCache
from tests.conftest import api_login, make_user


async def test_the_cache_answers_twice_from_one_load() -> None:
    cache = LibraryCache(ttl=60)
    loads = []

    async def load() -> int:
        loads.append(1)
        return len(loads)

    first = await cache.get(1, ("artists",), load)
    second = await cache.get(1, ("artists",), load)
    other_user = await cache.get(2, ("artists",), load)

    assert (first, second, other_user) == (1, 1, 2)


async def test_invalidating_one_user_keeps_the_others() -> None:
    cache = LibraryCache(ttl=60)

    async def load() -> str:
        return "loaded"

    await cache.get(1, ("a",), load)
    await cache.get(2, ("a",), load)
    cache.invalidate(1)

    assert len(cache) == 1
    cache.invalidate()
    assert len(cache) == 0


async def test_the_cache_is_bounded() -> None:
    cache = LibraryCache(ttl=60, max_entries=3)

    async def load() -> str:
        return "x"

    for key in range(10):
        await cache.get(1, (key,), load)

    assert len(cache) == 3


async def test_an_expired_entry_is_loaded_again() -> None:
    cache = LibraryCache(ttl=0)
    loads: list[int] = []

    async def load() -> int:
        loads.append(1)
        return len(loads)

    await cache.get(1, ("k",), load)
    assert await cache.get(1, ("k",), load) == 2


async def test_a_listing_loaded_across_a_drop_is_not_kept() -> None:
    """A star while the listing loads: what was read may predate it."""
    cache = LibraryCache(ttl=60)

    async def load_while_starring() -> str:
        cache.invalidate(1)
        return "read before the star"

    await cache.get(1, ("albums",), load_while_starring)

    assert len(cache) == 0


async def test_a_scan_drops_cached_listings(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    await make_user(stack_app, "alice", Role.ADMIN)
    stack_client.headers["X-CSRF-Token"] = await api_login(stack_client, "alice")
    await stack_client.get("/api/library/artists")
    assert len(stack_app.state.library_cache) > 0

    response = await stack_client.post("/api/library/scan")

    assert response.status_code == 202
    assert len(stack_app.state.library_cache) == 0


async def test_only_admins_start_a_scan(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    await make_user(stack_app, "bob", Role.USER)
    stack_client.headers["X-CSRF-Token"] = await api_login(stack_client, "bob")

    response = await stack_client.post("/api/library/scan")

    assert response.status_code == 403


async def _a_song_as_admin(app: FastAPI, http: httpx.AsyncClient) -> dict[str, Any]:
    """Sign ``http`` in as an admin; the first song of the library's first album."""
    await make_user(app, "alice", Role.ADMIN)
    http.headers["X-CSRF-Token"] = await api_login(http, "alice")
    album = (await http.get("/api/library/albums", params={"limit": 1})).json()["items"][0]
    song: dict[str, Any] = (await http.get(f"/api/library/albums/{album['id']}")).json()["songs"][0]
    return song


async def test_a_scrobble_counts_a_play(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    song = await _a_song_as_admin(stack_app, stack_client)
    before = (await stack_client.get(f"/api/library/songs/{song['id']}")).json()["play_count"] or 0

    await stack_client.post(f"/api/library/songs/{song['id']}/scrobble", json={"submission": True})

    after = (await stack_client.get(f"/api/library/songs/{song['id']}")).json()
    assert after["play_count"] == before + 1


async def test_a_scrobble_time_must_be_an_rfc3339_date_time(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    song = await _a_song_as_admin(stack_app, stack_client)
    url = f"/api/library/songs/{song['id']}/scrobble"

    # Digits would be read as Unix time, a naive time as the server's: neither is RFC 3339.
    refused = [
        await stack_client.post(url, json={"submission": True, "played_at": when})
        for when in ("0", "1700000000", "2026-11-26T20:15:00", 1700000000)
    ]
    taken = await stack_client.post(
        url, json={"submission": True, "played_at": "2026-11-26T20:15:00Z"}
    )

    assert [r.status_code for r in refused] == [422] * 4
    assert all(r.headers["content-type"] == "application/problem+json" for r in refused)
    assert taken.status_code == 204


async def test_playlists_list_and_open(stack_app: FastAPI, stack_client: httpx.AsyncClient) -> None:
    await make_user(stack_app, "alice", Role.ADMIN)
    stack_client.headers["X-CSRF-Token"] = await api_login(stack_client, "alice")

    playlists = (await stack_client.get("/api/library/playlists")).json()["items"]

    demo = next(p for p in playlists if p["name"] == "Demo favourites")  # the simulator's
    detail = (await stack_client.get(f"/api/library/playlists/{demo['id']}")).json()

    assert {"id", "name", "song_count", "songs"} <= set(detail)
    assert len(detail["songs"]) == detail["song_count"] > 0
