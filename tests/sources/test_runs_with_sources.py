"""Runs with listening sources: candidates offered, cards that say where they came from,
and a source that fails without failing the run."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tastemaker.auth.models import User
from tastemaker.recommendations.models import Recommendation
from tastemaker.simulators.catalogue import catalogue, owned_artists
from tastemaker.sources.models import ListeningSource
from tests.servers.listening import SetSourceMode

from .conftest import RunToEnd, connect_both

OWNED = {artist.name for artist in owned_artists()}
BY_NAME = {artist.name: artist for artist in catalogue()}


async def _cards(app: FastAPI, user: User) -> list[Recommendation]:
    async with app.state.db.sessionmaker() as db:
        return list(
            await db.scalars(select(Recommendation).where(Recommendation.user_id == user.id))
        )


async def test_candidates_from_both_sources_reach_the_prompt_and_the_cards(
    sources_app: FastAPI, sources_client: httpx.AsyncClient, lena: User, run_to_end: RunToEnd
) -> None:
    await connect_both(sources_client)

    run = await run_to_end()

    assert run["status"] == "completed", run
    assert run["candidate_count"] > 0
    report = run["source_report"]
    assert report["notes"] == []
    assert {k: v["status"] for k, v in report["sources"].items()} == {
        "listenbrainz": "ok",
        "lastfm": "ok",
    }
    cards = await _cards(sources_app, lena)
    from_sources = [card for card in cards if card.source != "model"]
    assert from_sources, "the model chose some of the candidates"
    assert sum(report["cards"].values()) == len(cards)
    for card in from_sources:
        # A candidate is grounded by its MBID, so it is exactly the catalogue artist.
        assert card.artist_mbid == BY_NAME[card.artist_name].mbid
        assert card.artist_name not in OWNED
    listed = (await sources_client.get("/api/recommendations")).json()["items"]
    assert {item["source"] for item in listed} == {card.source for card in cards}


async def test_the_shortlist_leaves_out_owned_and_dismissed_artists(
    sources_app: FastAPI, sources_client: httpx.AsyncClient, lena: User, run_to_end: RunToEnd
) -> None:
    await connect_both(sources_client)
    first = await run_to_end()
    dismissed = next(c for c in await _cards(sources_app, lena) if c.source != "model")
    answer = await sources_client.patch(
        f"/api/recommendations/{dismissed.id}", json={"state": "dismissed"}
    )
    assert answer.status_code == 200

    await run_to_end()

    async with httpx.AsyncClient() as http:
        sent = await http.get(f"{sources_app.state.settings.ollama_url}/_sim/requests")
    chat = sent.json()["requests"][-1]
    prompt = chat["messages"][-1]["content"]
    shortlist = next(line for line in prompt.splitlines() if line.startswith("Candidates"))
    assert dismissed.artist_name not in shortlist
    assert not any(f"{name} (like" in shortlist for name in OWNED)
    assert first["candidate_count"] > 0


async def test_listenbrainz_down_leaves_a_note_and_the_run_uses_the_rest(
    sources_app: FastAPI,
    sources_client: httpx.AsyncClient,
    lena: User,
    run_to_end: RunToEnd,
    source_mode: SetSourceMode,
) -> None:
    await connect_both(sources_client)
    await source_mode("listenbrainz", mode="error_503")

    run = await run_to_end()

    assert run["status"] == "completed"
    assert run["source_report"]["notes"] == [
        "ListenBrainz was unreachable; used Navidrome and Last.fm only"
    ]
    assert run["source_report"]["sources"]["listenbrainz"]["status"] == "failed"
    assert run["candidate_count"] > 0, "Last.fm still gave candidates"
    history = await sources_client.get("/recommendations/runs")
    assert "ListenBrainz was unreachable; used Navidrome and Last.fm only" in history.text
    async with sources_app.state.db.sessionmaker() as db:
        link = await db.scalar(
            select(ListeningSource).where(ListeningSource.kind == "listenbrainz")
        )
        assert link is not None
        assert link.last_error
        assert "ListenBrainz failed" in link.last_error
    page = await sources_client.get("/settings/profile")
    assert "The last run could not use it" in page.text


async def test_with_every_source_failing_the_run_uses_navidrome_only(
    sources_app: FastAPI,
    sources_client: httpx.AsyncClient,
    lena: User,
    run_to_end: RunToEnd,
    source_mode: SetSourceMode,
) -> None:
    await connect_both(sources_client)
    await source_mode("listenbrainz", mode="rate_limited")
    await source_mode("lastfm", suspended=True)

    run = await run_to_end()

    assert run["status"] == "completed"
    assert run["recommendation_count"] > 0
    assert run["candidate_count"] == 0
    assert run["source_report"]["notes"] == [
        "ListenBrainz was rate limiting Tastemaker; used Navidrome only",
        "Last.fm rejected the credentials; used Navidrome only",
    ]
    cards = await _cards(sources_app, lena)
    assert {card.source for card in cards} == {"model"}


async def test_the_run_history_shows_the_candidate_counts(
    sources_client: httpx.AsyncClient, lena: User, run_to_end: RunToEnd
) -> None:
    await connect_both(sources_client)
    run = await run_to_end()

    page = await sources_client.get("/recommendations/runs")

    assert f"{run['candidate_count']} candidates offered" in page.text
    assert "kept:" in page.text
