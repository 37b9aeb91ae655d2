"""Behaviours of the Subsonic simulator that supysonic cannot show: Navidrome's own rules.

Library scans that pick up imported albums, Navidrome's auth and error answers,
the demo's seeded listening history, and the 100,000-track metadata-only mode.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tastemaker.errors import ServiceRejected
from tastemaker.integrations.navidrome import NavidromeClient, NavidromeCredentials
from tastemaker.simulators.catalogue import catalogue, owned_artists
from tastemaker.simulators.sample_library import large_library, write_album
from tastemaker.simulators.subsonic import Library, SubsonicConfig, create_app
from tastemaker.simulators.subsonic.context import Simulator
from tests.servers.navidrome import SubsonicServer

DEMO = NavidromeCredentials("demo", "tastemaker-demo")


@pytest.fixture
async def sim_client(subsonic_simulator: SubsonicServer) -> AsyncIterator[NavidromeClient]:
    account = NavidromeCredentials(subsonic_simulator.user, subsonic_simulator.password)
    async with httpx.AsyncClient() as http:
        yield NavidromeClient(http, subsonic_simulator.url, account)


async def test_start_scan_picks_up_a_newly_imported_album(
    sim_client: NavidromeClient, subsonic_simulator_state: tuple[Simulator, str]
) -> None:
    sim, _ = subsonic_simulator_state
    assert sim.library.root is not None
    not_owned = catalogue()[len(owned_artists()) + 2].albums[0]
    before = await sim_client.scan_status()
    await asyncio.to_thread(write_album, sim.library.root, not_owned, clip_seconds=2)

    status = await sim_client.start_scan()
    while status.scanning:
        await asyncio.sleep(0.05)
        status = await sim_client.scan_status()

    assert status.count == (before.count or 0) + len(not_owned.tracks)
    assert status.last_scan is not None
    assert before.last_scan is not None
    assert status.last_scan > before.last_scan
    newest = (await sim_client.album_list("newest", size=1)).album[0]
    assert newest.name == not_owned.title
    # Lidarr knows the release group; Navidrome's search matches it too.
    found = await sim_client.search(not_owned.mbid, artist_count=0, song_count=0)
    assert [album.name for album in found.album] == [not_owned.title]


async def test_token_and_password_auth_are_both_accepted(
    subsonic_simulator: SubsonicServer,
) -> None:
    salt = "c19b2d"
    token = hashlib.md5((subsonic_simulator.password + salt).encode()).hexdigest()  # noqa: S324
    common = {"u": subsonic_simulator.user, "v": "1.16.1", "c": "test", "f": "json"}
    async with httpx.AsyncClient(base_url=subsonic_simulator.url) as http:
        by_token = await http.get("/rest/ping.view", params={**common, "t": token, "s": salt})
        by_hex = await http.get(
            "/rest/ping",
            params={**common, "p": "enc:" + subsonic_simulator.password.encode().hex()},
        )
        by_form = await http.post("/rest/ping", data={**common, "p": subsonic_simulator.password})
        no_client = await http.get("/rest/ping", params={"u": "demo", "v": "1.16.1", "f": "json"})
        bad_token = await http.get("/rest/ping", params={**common, "t": "0" * 32, "s": salt})
        as_xml = await http.get(
            "/rest/ping", params={**common, "f": "xml", "p": subsonic_simulator.password}
        )
        unknown = await http.get("/rest/getPodcastsPlease", params=common)

    for response in (by_token, by_hex, by_form):
        body = response.json()["subsonic-response"]
        assert body["status"] == "ok"
        assert body["openSubsonic"] is True
        assert body["type"] == "navidrome"
    assert no_client.json()["subsonic-response"]["error"]["code"] == 10
    assert bad_token.status_code == 200  # Subsonic failures still arrive with HTTP 200
    assert bad_token.json()["subsonic-response"]["error"] == {
        "code": 40,
        "message": "Wrong username or password",
    }
    assert as_xml.text.startswith("<?xml")
    assert 'status="ok"' in as_xml.text
    assert unknown.status_code == 404


async def test_users_may_only_look_themselves_up(
    sim_client: NavidromeClient, simulator_second_user: SubsonicServer
) -> None:
    with pytest.raises(ServiceRejected, match="not allowed"):
        await sim_client.user(simulator_second_user.user)


async def test_album_list_reports_the_total_number_of_matches(sim_client: NavidromeClient) -> None:
    albums = sum(len(artist.albums) for artist in owned_artists())

    page = await sim_client.album_list("alphabeticalByName", size=2)

    assert len(page.album) == 2
    assert page.total is not None
    assert page.total >= albums


async def test_the_demo_starts_with_a_listening_history() -> None:
    app = create_app(Library.from_catalogue(owned_artists()), SubsonicConfig())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport) as http:
        client = NavidromeClient(http, "http://simulator", DEMO)
        frequent = await client.album_list("frequent", size=5)
        recent = await client.album_list("recent", size=5)
        starred = await client.starred()
        playlists = await client.playlists()

    assert len(frequent.album) == 5
    counts = [album.play_count or 0 for album in frequent.album]
    assert counts == sorted(counts, reverse=True)
    assert counts[-1] > 0
    assert len(recent.album) == 5
    assert starred.artist
    assert starred.album
    assert starred.song
    # An admin sees every account's playlists, as in Navidrome.
    assert [p.name for p in playlists.playlist if p.owner == DEMO.username] == ["Demo favourites"]


async def test_metadata_only_mode_serves_100000_tracks() -> None:
    started = time.perf_counter()
    library = Library.from_catalogue(large_library(100_000))
    app = create_app(library, SubsonicConfig())
    print(f"\nload: {time.perf_counter() - started:.2f} s for {len(library.songs)} songs")
    assert len(library.songs) == 100_000

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport) as http:
        client = NavidromeClient(http, "http://simulator", DEMO)
        await client.ping()
        timings = {}
        started = time.perf_counter()
        index = await client.artists()
        timings["getArtists"] = time.perf_counter() - started
        started = time.perf_counter()
        page = await client.album_list("alphabeticalByArtist", size=50, offset=5000)
        timings["getAlbumList2"] = time.perf_counter() - started
        started = time.perf_counter()
        found = await client.search("night river", song_count=50, song_offset=100)
        timings["search3"] = time.perf_counter() - started
        album = await client.album(page.album[0].id)
        async with client.stream(
            album.song[0].id, request_headers={"Range": "bytes=0-99"}
        ) as media:
            head = await media.read()

    print("  ".join(f"{name}: {seconds * 1000:.0f} ms" for name, seconds in timings.items()))
    assert len(index.artists) == len(library.artists)
    assert len(page.album) == 50
    assert page.total == len(library.albums)
    assert len(found.song) == 50
    for song in found.song:  # every word of the query starts a word of title, album or artist
        text = f"{song.title} {song.album} {song.artist}".lower().split()
        assert any(word.startswith("night") for word in text)
        assert any(word.startswith("river") for word in text)
    assert media.status_code == 206
    assert head[:4] == b"OggS"  # a synthesised clip that really plays
