"""The library pages and the dashboard, as a person sees them (simulator-backed)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tastemaker.auth.models import Role
from tastemaker.downloads.models import DownloadRequest, DownloadStatus
from tastemaker.recommendations.models import (
    Recommendation,
    RecommendationRun,
    RecommendationState,
)
from tests.conftest import api_login, make_user


@pytest.fixture
async def http(stack_app: FastAPI, stack_client: httpx.AsyncClient) -> httpx.AsyncClient:
    await make_user(stack_app, "alice", Role.ADMIN)
    stack_client.headers["X-CSRF-Token"] = await api_login(stack_client, "alice")
    return stack_client


async def _an_album(http: httpx.AsyncClient) -> dict[str, Any]:
    album_id = (await http.get("/api/library/albums", params={"limit": 1})).json()["items"][0]["id"]
    album: dict[str, Any] = (await http.get(f"/api/library/albums/{album_id}")).json()
    return album


async def test_library_lists_artists_with_a_letter_jump(http: httpx.AsyncClient) -> None:
    artists = (await http.get("/api/library/artists", params={"limit": 500})).json()["items"]

    page = await http.get("/library")

    assert page.status_code == 200
    assert 'aria-label="Jump to letter"' in page.text
    for artist in artists[:5]:
        assert f"/library/artists/{artist['id']}" in page.text


async def test_filtering_artists_answers_only_the_results_for_htmx(
    http: httpx.AsyncClient,
) -> None:
    artists = (await http.get("/api/library/artists", params={"limit": 500})).json()["items"]
    name = artists[0]["name"]

    fragment = await http.get(
        "/library",
        params={"query": name},
        headers={"HX-Request": "true", "HX-Target": "library-results"},
    )

    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="library-results">')
    assert name in fragment.text
    assert "<html" not in fragment.text


async def test_an_unmatched_artist_filter_says_so(http: httpx.AsyncClient) -> None:
    page = await http.get("/library", params={"query": "zzqx-nobody"})

    assert "No artist matches “zzqx-nobody”" in page.text


async def test_the_album_page_has_its_tracklist_and_actions(http: httpx.AsyncClient) -> None:
    album = await _an_album(http)

    page = await http.get(f"/library/albums/{album['id']}")

    assert page.status_code == 200
    assert (
        f'<h1 class="text-3xl font-semibold tracking-tight text-balance">{album["title"]}</h1>'
        in page.text
    )
    for song in album["songs"]:
        assert f'data-id="{song["id"]}"' in page.text
        assert song["title"] in page.text
    minutes, seconds = divmod(album["songs"][0]["duration"], 60)
    assert f"{minutes}:{seconds:02d}" in page.text
    for action in ('data-player="play"', 'data-player="shuffle"', 'data-player="enqueue"'):
        assert action in page.text
    assert 'data-star="albums"' in page.text
    assert 'aria-label="Rate this album"' in page.text


async def test_the_artist_page_shows_albums_and_songs(http: httpx.AsyncClient) -> None:
    album = await _an_album(http)

    page = await http.get(f"/library/artists/{album['artist_id']}")

    assert page.status_code == 200
    assert album["artist"] in page.text
    assert f"/library/albums/{album['id']}" in page.text
    assert "data-tracklist" in page.text


async def test_song_search_finds_a_song(http: httpx.AsyncClient) -> None:
    song = (await _an_album(http))["songs"][0]

    page = await http.get("/library/songs", params={"query": song["title"]})

    assert f'data-id="{song["id"]}"' in page.text


async def test_global_search_finds_artists_albums_and_songs(http: httpx.AsyncClient) -> None:
    album = await _an_album(http)

    page = await http.get("/search", params={"q": album["title"]})

    assert page.status_code == 200
    assert f"/library/albums/{album['id']}" in page.text
    assert "data-global-search" in page.text


async def test_every_page_has_the_search_box_and_the_player(http: httpx.AsyncClient) -> None:
    for path in ("/", "/library", "/library/genres", "/settings/profile"):
        page = await http.get(path)
        assert 'id="global-search"' in page.text, path
        assert 'x-data="player"' in page.text, path


async def test_genres_link_to_their_albums(http: httpx.AsyncClient) -> None:
    genres = (await http.get("/api/library/genres")).json()

    page = await http.get("/library/genres")
    albums = await http.get(
        "/library/albums", params={"order": "genre", "genre": genres[0]["name"]}
    )

    assert genres[0]["name"] in page.text
    assert albums.status_code == 200
    assert re.search(r'data-player="play-album"', albums.text)


async def test_recently_added_lists_the_newest_albums(http: httpx.AsyncClient) -> None:
    newest = (await http.get("/api/library/albums", params={"order": "newest", "limit": 3})).json()

    page = await http.get("/library/albums", params={"order": "newest"})

    assert "Recently added" in page.text
    for album in newest["items"]:
        assert f"/library/albums/{album['id']}" in page.text


async def test_starred_page_shows_a_starred_album(http: httpx.AsyncClient) -> None:
    album = await _an_album(http)
    await http.put(f"/api/library/albums/{album['id']}/star")

    page = await http.get("/library/starred")

    assert f"/library/albums/{album['id']}" in page.text


async def test_dashboard_shows_library_rows_and_the_users_counts(
    stack_app: FastAPI, http: httpx.AsyncClient
) -> None:
    me = (await http.get("/api/auth/me")).json()
    user_id = me["user"]["id"] if "user" in me else me["id"]
    async with stack_app.state.db.sessionmaker() as session:
        run = RecommendationRun(user_id=user_id)
        session.add(run)
        await session.flush()
        for state in (RecommendationState.NEW, RecommendationState.NEW, RecommendationState.LIKED):
            session.add(
                Recommendation(
                    run_id=run.id,
                    user_id=user_id,
                    kind="artist",
                    artist_name="Somebody",
                    artist_mbid="00000000-0000-4000-8000-000000000001",
                    reason="Because",
                    state=state,
                )
            )
        for status in (DownloadStatus.DOWNLOADING, DownloadStatus.COMPLETED):
            session.add(
                DownloadRequest(
                    user_id=user_id,
                    kind="album",
                    target_key=f"album:{status}",
                    artist_name="Somebody",
                    artist_mbid="00000000-0000-4000-8000-000000000001",
                    status=status,
                )
            )
        await session.commit()
    newest = (await http.get("/api/library/albums", params={"order": "newest", "limit": 1})).json()

    page = await http.get("/")

    text = re.sub(r"\s+", " ", page.text)
    assert '2</span> <span class="block text-sm text-muted-foreground">new recommendations' in text
    assert (
        '1</span> <span class="block text-sm text-muted-foreground">open download request<' in text
    )
    for heading in (
        "Continue listening",
        "Recently added",
        "Recently played",
        "Most played",
        "Starred",
    ):
        assert heading in page.text
    assert f"/library/albums/{newest['items'][0]['id']}" in page.text
    assert 'href="/downloads"' in page.text
    assert 'href="/recommendations"' in page.text
