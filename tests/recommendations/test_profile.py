"""The taste profile from real Subsonic servers, and a prompt that does not grow with the library."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tastemaker.integrations.navidrome import NavidromeClient, NavidromeCredentials
from tastemaker.preferences.models import UserPreferences
from tastemaker.recommendations.profile import build_profile
from tastemaker.recommendations.prompt import Feedback, build_messages, prompt_size
from tastemaker.simulators.catalogue import owned_artists
from tastemaker.simulators.ollama.answer import prompt_tokens
from tastemaker.simulators.sample_library import large_library
from tastemaker.simulators.subsonic import Library, create_app
from tests.servers.navidrome import (  # noqa: F401  (fixtures)
    SubsonicServer,
    sample_library_dir,
    subsonic_simulator,
    subsonic_simulator_state,
    supysonic_server,
)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _prefs() -> UserPreferences:
    return UserPreferences(
        user_id=1,
        favourite_genres=[],
        excluded_genres=[],
        favourite_artists=[],
        excluded_artists=[],
        discovery_level=50,
        recommendation_count=10,
        recommendation_kinds="both",
        release_types=["album", "ep"],
        notes="",
    )


@pytest.mark.parametrize("peer", ["supysonic_server", "subsonic_simulator"])
async def test_the_profile_reads_the_library_on_a_real_subsonic_server(
    http: httpx.AsyncClient, request: pytest.FixtureRequest, peer: str
) -> None:
    server: SubsonicServer = request.getfixturevalue(peer)
    navidrome = NavidromeClient(
        http, server.url, NavidromeCredentials(server.user, server.password)
    )
    sample = {artist.name for artist in owned_artists()}
    starred = next(iter((await navidrome.album_list("alphabeticalByName", size=1)).album))
    await navidrome.star(album_ids=[starred.id])
    try:
        profile = await build_profile(navidrome)
    finally:
        await navidrome.unstar(album_ids=[starred.id])

    assert profile.library_artist_count == len(sample)
    for artist in owned_artists():
        assert profile.owned.find(artist.name.upper()) is not None  # every owned artist, by name
    assert starred.artist in profile.starred_artists
    assert profile.named_artists
    assert set(profile.named_artists) <= sample
    assert profile.genres
    messages = build_messages(profile, _prefs(), Feedback(), count=14, already=[])
    assert starred.artist in messages[1].content


async def _prompt_for(track_count: int) -> tuple[int, int, int]:
    library = Library.from_catalogue(large_library(track_count))
    app = create_app(library)  # seeded with a listening history, as the demo is
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim"
    ) as http:
        navidrome = NavidromeClient(
            http, "http://sim", NavidromeCredentials("demo", "tastemaker-demo")
        )
        profile = await build_profile(navidrome)
    messages = build_messages(profile, _prefs(), Feedback(), count=14, already=[])
    tokens = prompt_tokens([m.model_dump() for m in messages])
    return len(library.songs), prompt_size(messages), tokens


async def test_the_prompt_is_as_long_for_100000_tracks_as_for_1000() -> None:
    small_tracks, small_chars, small_tokens = await _prompt_for(1_000)
    large_tracks, large_chars, large_tokens = await _prompt_for(100_000)

    print(
        f"\nprompt size: {small_tracks} tracks → {small_chars} chars / ~{small_tokens} tokens; "
        f"{large_tracks} tracks → {large_chars} chars / ~{large_tokens} tokens"
    )
    assert large_tracks >= 100 * small_tracks * 0.9
    assert large_chars <= small_chars * 1.15
    assert large_tokens <= small_tokens * 1.15
    assert large_tokens < 2_000
