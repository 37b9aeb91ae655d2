"""/api/library against real Subsonic servers: the simulator (Navidrome's behaviour)
and supysonic (a real, classic Subsonic server)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tastemaker.auth.models import Role
from tests.conftest import api_login, make_user

pytestmark = pytest.mark.usefixtures("signed_in")


@pytest.fixture(params=["simulator", "supysonic"])
def server(request: pytest.FixtureRequest, database_url: str) -> tuple[FastAPI, httpx.AsyncClient]:
    # ``database_url`` is named so that each test runs on SQLite and on PostgreSQL.
    if request.param == "simulator":
        return request.getfixturevalue("stack_app"), request.getfixturevalue("stack_client")
    return request.getfixturevalue("supy_app"), request.getfixturevalue("supy_client")


@pytest.fixture
def http(server: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return server[1]


@pytest.fixture
async def signed_in(server: tuple[FastAPI, httpx.AsyncClient]) -> str:
    app, http = server
    await make_user(app, "alice", Role.ADMIN)
    token = await api_login(http, "alice")
    http.headers["X-CSRF-Token"] = token
    return token


async def first_album(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.get("/api/library/albums", params={"limit": 1})
    assert response.status_code == 200, response.text
    album_id = response.json()["items"][0]["id"]
    album: dict[str, Any] = (await http.get(f"/api/library/albums/{album_id}")).json()
    return album


async def test_artists_are_listed_in_pages_with_the_documented_fields(
    http: httpx.AsyncClient,
) -> None:
    everything = (await http.get("/api/library/artists", params={"limit": 500})).json()
    first = (await http.get("/api/library/artists", params={"limit": 2})).json()
    second = (await http.get("/api/library/artists", params={"limit": 2, "offset": 2})).json()

    assert everything["total"] == len(everything["items"]) >= 4
    assert {"id", "name", "mbid"} <= set(everything["items"][0])
    assert (first["total"], first["offset"], first["limit"]) == (everything["total"], 0, 2)
    assert [a["id"] for a in first["items"] + second["items"]] == [
        a["id"] for a in everything["items"][:4]
    ]


async def test_artists_can_be_filtered_by_part_of_the_name(http: httpx.AsyncClient) -> None:
    artists = (await http.get("/api/library/artists", params={"limit": 500})).json()["items"]
    name = artists[0]["name"]

    found = (await http.get("/api/library/artists", params={"query": name[1:5].upper()})).json()

    assert name in [a["name"] for a in found["items"]]
    assert found["total"] == len(found["items"]) < len(artists)


async def test_an_artist_lists_their_albums(http: httpx.AsyncClient) -> None:
    album = await first_album(http)

    artist = (await http.get(f"/api/library/artists/{album['artist_id']}")).json()

    assert artist["name"] == album["artist"]
    assert album["id"] in [a["id"] for a in artist["albums"]]
    assert {"id", "title", "artist", "artist_id", "mbid"} <= set(artist["albums"][0])


async def test_an_album_lists_its_songs_in_track_order(http: httpx.AsyncClient) -> None:
    album = await first_album(http)

    songs = album["songs"]
    assert len(songs) == album["song_count"] > 1
    assert [s["track"] for s in songs] == sorted(s["track"] for s in songs)
    assert {"id", "title", "album_id", "duration"} <= set(songs[0])
    assert all(s["album_id"] == album["id"] and s["duration"] > 0 for s in songs)


async def test_albums_page_through_the_whole_list(http: httpx.AsyncClient) -> None:
    first = (await http.get("/api/library/albums", params={"limit": 3})).json()
    second = (await http.get("/api/library/albums", params={"limit": 3, "offset": 3})).json()

    assert first["total"] >= 6
    ids = [a["id"] for a in first["items"] + second["items"]]
    assert len(set(ids)) == 6


async def test_songs_are_found_by_title(http: httpx.AsyncClient) -> None:
    album = await first_album(http)
    title = album["songs"][0]["title"]

    found = (await http.get("/api/library/songs", params={"query": title})).json()

    assert album["songs"][0]["id"] in [s["id"] for s in found["items"]]
    assert found["offset"] == 0
    assert found["limit"] == 50


async def test_a_search_that_matches_nothing_is_an_empty_page(http: httpx.AsyncClient) -> None:
    found = (await http.get("/api/library/songs", params={"query": "zzqxnothingzz"})).json()

    assert found == {"items": [], "total": 0, "offset": 0, "limit": 50}


async def test_a_song_streams_whole_or_by_range(http: httpx.AsyncClient) -> None:
    song = (await first_album(http))["songs"][0]
    url = f"/api/library/songs/{song['id']}/stream"

    whole = await http.get(url)
    first = await http.get(url, headers={"Range": "bytes=0-99"})
    middle = await http.get(url, headers={"Range": "bytes=1000-1099"})

    assert whole.status_code == 200
    assert whole.headers["content-type"].startswith("audio/")
    assert int(whole.headers["content-length"]) == len(whole.content) > 1100
    assert first.status_code == 206
    assert first.content == whole.content[:100]
    assert first.headers["content-range"] == f"bytes 0-99/{len(whole.content)}"
    assert first.headers["content-length"] == "100"
    assert middle.status_code == 206
    assert middle.content == whole.content[1000:1100]


async def test_a_stream_url_holds_no_credentials(http: httpx.AsyncClient) -> None:
    album = await first_album(http)
    page = await http.get(f"/library/albums/{album['id']}")

    assert page.status_code == 200
    assert "/rest/" not in page.text
    assert not re.search(r"[?&](u|p|t|s|apiKey)=", page.text)
    for password in ("tastemaker-demo", "alice-secret-pw"):
        assert password not in page.text


async def test_cover_art_is_cached_by_etag(http: httpx.AsyncClient) -> None:
    album = await first_album(http)
    url = f"/api/library/cover/{album['cover_art']}"

    image = await http.get(url, params={"size": 64})
    again = await http.get(
        url, params={"size": 64}, headers={"If-None-Match": image.headers["etag"]}
    )

    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/")
    assert len(image.content) > 100
    assert "max-age=2592000" in image.headers["cache-control"]
    assert again.status_code == 304
    assert again.content == b""


async def test_a_missing_album_is_a_404_problem(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/library/albums/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["service"] == "navidrome"


async def test_starring_and_unstarring_an_album(http: httpx.AsyncClient) -> None:
    album = await first_album(http)
    path = f"/api/library/albums/{album['id']}/star"

    starred = await http.put(path)
    listed = (await http.get("/api/library/starred")).json()
    detail = (await http.get(f"/api/library/albums/{album['id']}")).json()
    unstarred = await http.delete(path)
    after = (await http.get("/api/library/starred")).json()

    assert starred.status_code == unstarred.status_code == 204
    assert album["id"] in [a["id"] for a in listed["albums"]]
    assert detail["starred"] is True
    assert album["id"] not in [a["id"] for a in after["albums"]]


async def test_starring_a_song(http: httpx.AsyncClient) -> None:
    song = (await first_album(http))["songs"][1]

    assert (await http.put(f"/api/library/songs/{song['id']}/star")).status_code == 204
    starred = (await http.get("/api/library/starred")).json()

    assert song["id"] in [s["id"] for s in starred["songs"]]
    await http.delete(f"/api/library/songs/{song['id']}/star")


async def test_rating_a_song_then_clearing_it(http: httpx.AsyncClient) -> None:
    song = (await first_album(http))["songs"][0]
    path = f"/api/library/songs/{song['id']}/rating"

    rated = await http.put(path, json={"rating": 4})
    after = (await http.get(f"/api/library/songs/{song['id']}")).json()
    cleared = await http.put(path, json={"rating": 0})
    invalid = await http.put(path, json={"rating": 6})

    assert rated.status_code == cleared.status_code == 204
    assert after["rating"] == 4
    assert (await http.get(f"/api/library/songs/{song['id']}")).json()["rating"] in (None, 0)
    assert invalid.status_code == 422


async def test_rating_an_album(request: pytest.FixtureRequest, http: httpx.AsyncClient) -> None:
    if "supysonic" in request.node.name:
        pytest.skip("supysonic rates songs and folders only; Navidrome rates albums too")
    album = await first_album(http)

    rated = await http.put(f"/api/library/albums/{album['id']}/rating", json={"rating": 5})

    assert rated.status_code == 204
    assert (await http.get(f"/api/library/albums/{album['id']}")).json()["rating"] == 5


async def test_scrobbling_is_accepted(http: httpx.AsyncClient) -> None:
    song = (await first_album(http))["songs"][0]
    path = f"/api/library/songs/{song['id']}/scrobble"

    now_playing = await http.post(path, json={"submission": False})
    played = await http.post(path, json={"submission": True})

    assert now_playing.status_code == played.status_code == 204


async def test_changing_anything_needs_the_csrf_token(http: httpx.AsyncClient) -> None:
    album = await first_album(http)
    del http.headers["X-CSRF-Token"]

    response = await http.put(f"/api/library/albums/{album['id']}/star")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


async def test_the_users_playback_preference_is_passed_to_navidrome(
    server: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, http = server
    saved = await http.put(
        "/api/settings/preferences", json={"stream_format": "opus", "stream_max_bitrate": 128}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["stream_format"] == "opus"
    sent: list[httpx.URL] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request.url)

    song = (await first_album(http))["songs"][0]
    app.state.http.event_hooks["request"].append(record)
    try:
        response = await http.get(f"/api/library/songs/{song['id']}/stream")
    finally:
        app.state.http.event_hooks["request"].remove(record)

    (stream_call,) = [
        url for url in sent if url.path.rstrip("/").endswith(("stream", "stream.view"))
    ]
    assert stream_call.params["format"] == "opus"
    assert stream_call.params["maxBitRate"] == "128"
    if response.status_code != 200:
        # supysonic has no transcoder configured: the refusal is named, not a 500.
        assert response.headers["content-type"] == "application/problem+json"
        assert "transcode" in response.json()["detail"]
        assert response.json()["service"] == "navidrome"
