"""A run through the API, end to end on the simulators: real, new, explained cards."""

from __future__ import annotations

import httpx

from tastemaker.simulators.catalogue import artist_by_mbid, catalogue, owned_artists
from tests.recommendations.conftest import RunToEnd, feed


async def test_a_run_completes_with_grounded_cards_that_are_new_to_the_user(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd
) -> None:
    run = await run_to_end()

    assert run["status"] == "completed", run
    assert run["error"] is None
    cards = await feed(stack_client)
    assert len(cards) == 10  # the default count
    owned = {artist.mbid for artist in owned_artists()}
    for card in cards:
        assert card["reason"]
        assert artist_by_mbid(card["artist_mbid"]) is not None  # a real MusicBrainz artist
        assert card["artist_mbid"] not in owned
        assert card["state"] == "new"
        if card["kind"] == "album":
            real = artist_by_mbid(card["artist_mbid"])
            assert real is not None
            assert card["album_mbid"] in {album.mbid for album in real.albums}
    assert len({card["artist_mbid"] for card in cards}) == len(cards)
    assert run["prompt_tokens"] > 0
    assert run["completion_tokens"] > 0
    assert run["model"].startswith("llama3.2")
    assert len(catalogue()) > 0
