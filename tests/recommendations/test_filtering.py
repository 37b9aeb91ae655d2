"""What the user already has, asked for, turned down or excluded never comes back."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import delete

from tastemaker.auth.models import User
from tastemaker.downloads.models import DownloadRequest
from tastemaker.integrations.lidarr.models import Artist
from tastemaker.recommendations.grounding import Grounded
from tastemaker.recommendations.models import Recommendation
from tastemaker.recommendations.pipeline import Exclusions
from tastemaker.recommendations.profile import OwnedArtist, TasteProfile
from tastemaker.recommendations.proposals import ProposedItem
from tests.recommendations.conftest import RunToEnd, feed


async def _forget_cards(app: FastAPI, user: User) -> None:
    async with app.state.db.sessionmaker() as db:
        await db.execute(delete(Recommendation).where(Recommendation.user_id == user.id))
        await db.commit()


async def test_an_already_requested_artist_is_not_recommended(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, listener: User, run_to_end: RunToEnd
) -> None:
    await run_to_end()
    first = (await feed(stack_client))[0]
    await _forget_cards(stack_app, listener)
    async with stack_app.state.db.sessionmaker() as db:
        db.add(
            DownloadRequest(
                user_id=listener.id,
                kind="artist",
                target_key=f"artist:{first['artist_mbid']}",
                artist_name=first["artist_name"],
                artist_mbid=first["artist_mbid"],
            )
        )
        await db.commit()

    run = await run_to_end()  # the same prompt: the model proposes the same artist again

    assert run["filtered_reasons"].get("requested") == 1, run["filtered_reasons"]
    assert first["artist_mbid"] not in {card["artist_mbid"] for card in await feed(stack_client)}


async def test_a_dismissed_card_disappears_and_never_comes_back(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd
) -> None:
    await run_to_end()
    dismissed = (await feed(stack_client))[0]

    answer = await stack_client.patch(
        f"/api/recommendations/{dismissed['id']}", json={"state": "dismissed"}
    )
    assert answer.status_code == 200
    assert answer.json()["state"] == "dismissed"
    await run_to_end()
    await run_to_end()

    shown = {card["artist_mbid"] for card in await feed(stack_client)}
    assert dismissed["artist_mbid"] not in shown
    only_dismissed = await feed(stack_client, state="dismissed")
    assert [card["id"] for card in only_dismissed] == [dismissed["id"]]


async def test_an_excluded_artist_is_never_recommended(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, listener: User, run_to_end: RunToEnd
) -> None:
    await run_to_end()
    excluded = (await feed(stack_client))[0]
    await _forget_cards(stack_app, listener)
    answer = await stack_client.put(
        "/api/settings/preferences", json={"excluded_artists": [excluded["artist_name"].upper()]}
    )
    assert answer.status_code == 200

    await run_to_end()

    assert excluded["artist_mbid"] not in {c["artist_mbid"] for c in await feed(stack_client)}


def _grounded(name: str, mbid: str, genres: list[str] | None = None) -> Grounded:
    artist = Artist(artist_name=name, foreign_artist_id=mbid, genres=genres or [])
    return Grounded("artist", artist, None)


def test_every_exclusion_rule_names_its_reason() -> None:
    profile = TasteProfile()
    profile.owned.add(OwnedArtist("ar-1", "The Copper Lanterns", "mbid-owned"))
    profile.owned.add(OwnedArtist("ar-2", "Sigur Rós", None))
    rules = Exclusions(
        profile=profile,
        requested_mbids={"mbid-requested"},
        rejected_mbids={"mbid-dismissed": "dismissed", "mbid-disliked": "disliked"},
        excluded_names={"ada moreau"},
        excluded_genres={"christmas"},
    )
    item = ProposedItem(artist="Copper Lanterns", reason="r")
    assert rules.before_lookup(item) == "owned"  # by normalised name, before any lookup
    assert rules.before_lookup(ProposedItem(artist="sigur ros", reason="r")) == "owned"
    assert rules.before_lookup(ProposedItem(artist="ADA MOREAU", reason="r")) == "excluded"
    assert rules.after_lookup(_grounded("Renamed", "MBID-OWNED")) == "owned"  # by MusicBrainz id
    assert rules.after_lookup(_grounded("X", "mbid-requested")) == "requested"
    assert rules.after_lookup(_grounded("X", "mbid-dismissed")) == "dismissed"
    assert rules.after_lookup(_grounded("X", "mbid-disliked")) == "disliked"
    assert rules.after_lookup(_grounded("X", "mbid-new", ["Christmas"])) == "excluded_genre"
    fresh = _grounded("Noor Valli", "mbid-fresh")
    assert rules.after_lookup(fresh) is None
    rules.remember(ProposedItem(artist="Noor Valli", reason="r"), fresh)
    assert rules.before_lookup(ProposedItem(artist="noor valli", reason="r")) == "duplicate"
