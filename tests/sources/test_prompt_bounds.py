"""The prompt does not grow with a user's listening history: a source yields bounded lists."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tastemaker.integrations.lastfm import LastfmClient
from tastemaker.integrations.listenbrainz import ListenBrainzClient
from tastemaker.preferences.models import UserPreferences
from tastemaker.recommendations.pipeline import Exclusions, shortlist
from tastemaker.recommendations.profile import OwnedArtist, TasteProfile
from tastemaker.recommendations.prompt import MAX_CANDIDATES, Feedback, build_messages, prompt_size
from tastemaker.simulators.catalogue import owned_artists
from tastemaker.simulators.lastfm import LastfmSimConfig
from tastemaker.simulators.lastfm import create_app as lastfm_simulator
from tastemaker.simulators.listenbrainz import ListenBrainzSimConfig
from tastemaker.simulators.listenbrainz import create_app as listenbrainz_simulator
from tastemaker.simulators.runner import BackgroundServer
from tastemaker.sources.gather import (
    SEEDS,
    SIMILAR_PER_SEED,
    TOP_ARTISTS,
    Listening,
    read_lastfm,
    read_listenbrainz,
)

KEY = "00112233445566778899aabbccddeeff"
SIZES = {"short": 40, "long": 20_000}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    users = tuple(SIZES)
    lb = listenbrainz_simulator(ListenBrainzSimConfig(users=users, history_sizes=SIZES))
    fm = lastfm_simulator(LastfmSimConfig(api_key=KEY, users=users, history_sizes=SIZES))
    with BackgroundServer(lb) as lb_server, BackgroundServer(fm) as fm_server:
        yield lb_server.url, fm_server.url


def _profile() -> TasteProfile:
    profile = TasteProfile(top_artists=[(a.name, 10) for a in owned_artists()[:6]])
    for artist in owned_artists():
        profile.owned.add(OwnedArtist(artist.mbid, artist.name, artist.mbid))
    return profile


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
        release_types=["album"],
        notes="",
    )


async def _prompt(servers: tuple[str, str], user: str) -> tuple[int, Listening, int]:
    lb_url, fm_url = servers
    async with httpx.AsyncClient() as http:
        listenbrainz = ListenBrainzClient(lb_url, http=http, labs_url=lb_url, labs_interval=0)
        lastfm = LastfmClient(f"{fm_url}/2.0/", KEY, http=http, min_interval=0)
        listening = Listening(
            [await read_listenbrainz(listenbrainz, user), await read_lastfm(lastfm, user)]
        )
    profile = _profile()
    offered = shortlist(listening, Exclusions(profile=profile))
    messages = build_messages(
        profile,
        _prefs(),
        Feedback(),
        count=14,
        already=[],
        listening=listening,
        candidates=offered,
    )
    return prompt_size(messages), listening, len(offered)


async def test_the_prompt_is_as_long_for_20000_listens_as_for_40(
    servers: tuple[str, str],
) -> None:
    short_chars, short, short_offered = await _prompt(servers, "short")
    long_chars, long, long_offered = await _prompt(servers, "long")

    print(
        f"\nprompt with sources: 40 listens → {short_chars} chars, {short_offered} candidates; "
        f"20,000 listens → {long_chars} chars, {long_offered} candidates"
    )
    for listening in (short, long):
        for result in listening.results:
            assert result.status == "ok", result.detail
            assert len(result.top_artists) <= TOP_ARTISTS
            assert len(result.candidates) <= SEEDS * SIMILAR_PER_SEED
    assert 0 < long_offered <= MAX_CANDIDATES
    assert long_chars <= short_chars * 1.15
