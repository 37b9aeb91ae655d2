"""The Last.fm client against the simulator: quirks, bad keys, rate limits and failures."""

from __future__ import annotations

import httpx
import pytest

from tastemaker.errors import (
    ServiceAuthFailed,
    ServiceBadResponse,
    ServiceRateLimited,
    ServiceUnavailable,
)
from tastemaker.integrations.lastfm import LastfmClient, LastfmNotFound
from tastemaker.simulators.catalogue import owned_artists
from tastemaker.simulators.listening import UNMAPPED_ARTIST
from tastemaker.simulators.runner import BackgroundServer, bind_loopback

from .conftest import client_for


async def test_top_artists_are_ranked_with_numbers_and_missing_mbids_as_none(
    lastfm: LastfmClient,
) -> None:
    artists = await lastfm.top_artists("demo", limit=20)

    assert [a.rank for a in artists] == list(range(1, len(artists) + 1))
    assert artists[0].name == owned_artists()[0].name
    assert artists[0].mbid == owned_artists()[0].mbid
    assert artists[0].playcount > artists[-1].playcount > 0
    assert next(a for a in artists if a.name == UNMAPPED_ARTIST).mbid is None


async def test_an_unknown_user_is_not_found_even_with_an_http_404(lastfm: LastfmClient) -> None:
    with pytest.raises(LastfmNotFound, match="User not found"):
        await lastfm.top_artists("nobody")


async def test_recent_tracks_put_now_playing_first_without_a_date(lastfm: LastfmClient) -> None:
    tracks = await lastfm.recent_tracks("demo", limit=10)

    assert len(tracks) == 11, "the track playing now comes on top of the limit"
    assert tracks[0].now_playing
    assert tracks[0].played_at is None
    moments = [t.played_at or 0 for t in tracks[1:]]
    assert moments == sorted(moments, reverse=True)


async def test_a_single_scrobble_comes_as_a_bare_object_and_is_still_a_list(
    lastfm: LastfmClient,
) -> None:
    tracks = await lastfm.recent_tracks("once")

    assert len(tracks) == 1
    assert tracks[0].artist
    assert await lastfm.recent_tracks("quiet") == []


async def test_similar_artists_by_mbid_are_best_first(lastfm: LastfmClient) -> None:
    seed = owned_artists()[1]
    similar = await lastfm.similar_artists(mbid=seed.mbid, limit=6)

    assert 0 < len(similar) <= 6
    assert similar[0].match == 1.0
    assert [s.match for s in similar] == sorted((s.match for s in similar), reverse=True)
    assert {s.name for s in similar} & set(seed.similar)


async def test_an_mbid_lastfm_does_not_know_falls_back_to_the_name(lastfm: LastfmClient) -> None:
    seed = owned_artists()[2]
    unknown = "11111111-2222-3333-4444-555555555555"

    by_name = await lastfm.similar_artists(name=seed.name.upper(), mbid=unknown)
    nothing = await lastfm.similar_artists(mbid=unknown)

    assert {s.name for s in by_name} & set(seed.similar), "autocorrect folds the case"
    assert nothing == []


async def test_a_wrong_api_key_is_named_and_not_retried(
    lastfm_server: BackgroundServer, lastfm_http: httpx.AsyncClient
) -> None:
    client = client_for(lastfm_server, lastfm_http, key="f" * 32)

    with pytest.raises(ServiceAuthFailed) as caught:
        await client.top_artists("demo")

    assert caught.value.detail == "Last.fm rejected the API key — check Settings → Services"
    assert len(_requests(lastfm_server)) == 1


async def test_a_suspended_key_stops_at_once(
    lastfm: LastfmClient, lastfm_server: BackgroundServer, lastfm_http: httpx.AsyncClient
) -> None:
    await lastfm_http.post(f"{lastfm_server.url}/_sim/mode", json={"suspended": True})

    with pytest.raises(ServiceAuthFailed, match="suspended"):
        await lastfm.check_key()


async def test_rate_limiting_is_retried_with_backoff_then_named(
    lastfm: LastfmClient, lastfm_server: BackgroundServer, lastfm_http: httpx.AsyncClient
) -> None:
    await lastfm_http.post(f"{lastfm_server.url}/_sim/mode", json={"mode": "rate_limited"})

    with pytest.raises(ServiceRateLimited, match=r"Last\.fm is rate limiting Tastemaker"):
        await lastfm.top_artists("demo")

    assert len(_requests(lastfm_server)) == 3, "the call and two retries"


async def test_a_burst_over_the_limit_recovers_after_the_backoff(
    lastfm_server: BackgroundServer, lastfm_http: httpx.AsyncClient
) -> None:
    # Three calls per 1-second window; the client backs off and gets through.
    await lastfm_http.post(
        f"{lastfm_server.url}/_sim/mode", json={"rate_limit": 3, "rate_window": 1}
    )
    client = client_for(lastfm_server, lastfm_http, backoff=0.6, retries=3)

    for _ in range(5):
        assert await client.top_artists("demo", limit=1)

    calls = [r for r in _requests(lastfm_server) if r.get("limit") == "1"]
    assert len(calls) > 5, "some calls were refused with error 29 and tried again"


async def test_a_temporary_error_is_retried_then_named(
    lastfm: LastfmClient, lastfm_server: BackgroundServer, lastfm_http: httpx.AsyncClient
) -> None:
    await lastfm_http.post(f"{lastfm_server.url}/_sim/mode", json={"mode": "fault"})

    with pytest.raises(ServiceUnavailable, match=r"Last\.fm could not answer"):
        await lastfm.top_artists("demo")


async def test_an_html_error_page_is_named_as_lastfm_being_down(
    lastfm: LastfmClient, lastfm_server: BackgroundServer, lastfm_http: httpx.AsyncClient
) -> None:
    await lastfm_http.post(f"{lastfm_server.url}/_sim/mode", json={"mode": "html_503"})

    with pytest.raises(ServiceBadResponse, match=r"Last.fm .* not JSON \(HTTP 503\)"):
        await lastfm.recent_tracks("demo")


async def test_a_server_that_is_not_running_is_named() -> None:
    sock = bind_loopback()
    port = sock.getsockname()[1]
    sock.close()
    async with httpx.AsyncClient() as http:
        client = LastfmClient(f"http://127.0.0.1:{port}/2.0/", "k", http=http)
        with pytest.raises(ServiceUnavailable, match=r"Could not reach Last\.fm"):
            await client.top_artists("demo")


def _requests(server: BackgroundServer) -> list[dict[str, str]]:
    return list(httpx.get(f"{server.url}/_sim/requests").json())
