"""The ListenBrainz client against the simulator: shapes, quirks, rate limits and failures."""

from __future__ import annotations

import httpx
import pytest

from tastemaker.errors import (
    ServiceBadResponse,
    ServiceNotFound,
    ServiceRateLimited,
    ServiceRejected,
    ServiceUnavailable,
)
from tastemaker.integrations.listenbrainz import ListenBrainzClient
from tastemaker.simulators.catalogue import owned_artists
from tastemaker.simulators.listening import UNMAPPED_ARTIST
from tastemaker.simulators.runner import BackgroundServer, bind_loopback

from .conftest import TOKEN


async def test_a_valid_token_names_its_user_and_an_invalid_one_is_not_an_error(
    listenbrainz: ListenBrainzClient,
) -> None:
    valid = await listenbrainz.validate_token(TOKEN)
    invalid = await listenbrainz.validate_token("not-a-token")

    assert (valid.valid, valid.user_name) == (True, "Rob")
    assert (invalid.valid, invalid.user_name) == (False, None)


async def test_top_artists_come_most_listened_first_with_an_unmapped_one(
    listenbrainz: ListenBrainzClient,
) -> None:
    artists = await listenbrainz.top_artists("demo", count=20)

    counts = [artist.listen_count for artist in artists]
    assert counts == sorted(counts, reverse=True)
    assert artists[0].artist_name == owned_artists()[0].name
    assert artists[0].artist_mbid == owned_artists()[0].mbid
    unmapped = next(a for a in artists if a.artist_name == UNMAPPED_ARTIST)
    assert unmapped.artist_mbid is None


async def test_stats_not_computed_yet_are_an_empty_list_not_an_error(
    listenbrainz: ListenBrainzClient,
) -> None:
    assert await listenbrainz.top_artists("Rob") == []


async def test_an_unknown_user_is_named_in_the_error(listenbrainz: ListenBrainzClient) -> None:
    with pytest.raises(ServiceNotFound, match="Cannot find user: nobody"):
        await listenbrainz.top_artists("nobody")


async def test_an_invalid_range_is_refused_with_listenbrainzs_words(
    listenbrainz: ListenBrainzClient,
) -> None:
    with pytest.raises(ServiceRejected, match="Invalid range: weekly"):
        await listenbrainz.top_artists("demo", range="weekly")


async def test_listens_come_newest_first_and_find_the_artist_mbid_wherever_it_is(
    listenbrainz: ListenBrainzClient,
) -> None:
    listens = await listenbrainz.listens("demo", count=40)

    assert len(listens) == 40
    moments = [listen.listened_at or 0 for listen in listens]
    assert moments == sorted(moments, reverse=True)
    mapped = [listen for listen in listens if listen.artist_name != UNMAPPED_ARTIST]
    # Some carry a server mapping, some only what the client sent: both give the MBID.
    assert {listen.track_metadata.mbid_mapping is None for listen in mapped} == {True, False}
    assert all(listen.artist_mbid for listen in mapped)


async def test_similar_artists_are_sorted_by_score_and_skip_nameless_rows(
    listenbrainz: ListenBrainzClient,
) -> None:
    seed = owned_artists()[0]
    similar = await listenbrainz.similar_artists([seed.mbid])

    assert similar, "the catalogue gives every artist neighbours"
    scores = [row.score for row in similar]
    assert scores == sorted(scores, reverse=True)
    assert all(row.name for row in similar)
    assert {row.reference_mbid for row in similar} == {seed.mbid}
    assert set(seed.similar) <= {row.name for row in similar}


async def test_similar_artists_of_an_unknown_seed_are_empty(
    listenbrainz: ListenBrainzClient,
) -> None:
    assert await listenbrainz.similar_artists(["00000000-0000-0000-0000-000000000000"]) == []


async def test_an_unknown_algorithm_is_refused_naming_the_permitted_ones(
    listenbrainz: ListenBrainzClient, lb_http: httpx.AsyncClient, lb_server: BackgroundServer
) -> None:
    client = ListenBrainzClient(
        lb_server.url, http=lb_http, labs_url=lb_server.url, algorithm="made_up", labs_interval=0
    )

    with pytest.raises(ServiceRejected, match="permitted"):
        await client.similar_artists([owned_artists()[0].mbid])


async def test_rate_limiting_is_waited_out_then_named(
    listenbrainz: ListenBrainzClient, lb_http: httpx.AsyncClient, lb_server: BackgroundServer
) -> None:
    await lb_http.post(f"{lb_server.url}/_sim/mode", json={"mode": "rate_limited"})
    patient = ListenBrainzClient(lb_server.url, http=lb_http, retries=1, max_wait=5)

    with pytest.raises(ServiceRateLimited, match="ListenBrainz is rate limiting Tastemaker"):
        await patient.top_artists("demo")

    stats = (await lb_http.get(f"{lb_server.url}/_sim/stats")).json()
    assert stats["refused"] == 2, "one call and one retry after Reset-In, then it gave up"


async def test_a_used_up_window_is_waited_for_and_the_call_succeeds(
    lb_http: httpx.AsyncClient, lb_server: BackgroundServer
) -> None:
    # Two requests per window: the client reads X-RateLimit-Remaining and waits for the
    # next window instead of being refused.
    await lb_http.post(f"{lb_server.url}/_sim/mode", json={"rate_limit": 2})
    client = ListenBrainzClient(lb_server.url, http=lb_http, max_wait=15)

    for _ in range(4):
        assert await client.top_artists("demo", count=1)

    assert (await lb_http.get(f"{lb_server.url}/_sim/stats")).json()["refused"] == 0


async def test_listenbrainz_down_for_maintenance_is_named(
    listenbrainz: ListenBrainzClient, lb_http: httpx.AsyncClient, lb_server: BackgroundServer
) -> None:
    await lb_http.post(f"{lb_server.url}/_sim/mode", json={"mode": "error_503"})

    with pytest.raises(ServiceBadResponse, match=r"ListenBrainz failed .* HTTP 503"):
        await listenbrainz.listens("demo")


async def test_a_proxys_html_error_page_is_named_without_its_markup(
    listenbrainz: ListenBrainzClient, lb_http: httpx.AsyncClient, lb_server: BackgroundServer
) -> None:
    await lb_http.post(f"{lb_server.url}/_sim/mode", json={"mode": "error_502"})

    with pytest.raises(ServiceBadResponse) as caught:
        await listenbrainz.top_artists("demo")

    assert "HTTP 502" in caught.value.detail
    assert "<" not in caught.value.detail


async def test_a_server_that_is_not_running_is_named() -> None:
    sock = bind_loopback()  # a port nothing answers on once closed
    port = sock.getsockname()[1]
    sock.close()
    async with httpx.AsyncClient() as http:
        client = ListenBrainzClient(f"http://127.0.0.1:{port}", http=http)
        with pytest.raises(ServiceUnavailable, match="Could not reach ListenBrainz"):
            await client.top_artists("demo")
