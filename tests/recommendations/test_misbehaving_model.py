"""The Ollama simulator misbehaving in each of its ways: cards stay real, new and unique,
and a run that cannot succeed fails with a message that says what to do."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from tastemaker.auth.models import User
from tastemaker.integrations.ollama import OllamaClient
from tastemaker.preferences.service import get_preferences
from tastemaker.recommendations.models import RecommendationRun, RunStatus
from tastemaker.recommendations.pipeline import Pipeline
from tastemaker.simulators.catalogue import artist_by_mbid, owned_artists
from tests.recommendations.conftest import RunToEnd, SetMode, feed
from tests.servers.stack import OLLAMA_MODEL, SimStack

OWNED = {artist.mbid for artist in owned_artists()}
OWNED_NAMES = {artist.name.casefold() for artist in owned_artists()}


async def _assert_cards_are_real_new_and_unique(
    client: httpx.AsyncClient,
) -> list[dict[str, object]]:
    cards = await feed(client)
    assert cards, "the run kept nothing"
    for card in cards:
        real = artist_by_mbid(str(card["artist_mbid"]))
        assert real is not None, f"invented artist reached a card: {card['artist_name']}"
        assert real.name == card["artist_name"]
        assert card["artist_mbid"] not in OWNED
        assert str(card["artist_name"]).casefold() not in OWNED_NAMES
        assert card["reason"]
    assert len({card["artist_mbid"] for card in cards}) == len(cards)
    return cards


@pytest.mark.parametrize(
    ("mode", "dropped_as"),
    [
        ("hallucinate", "unresolved"),
        ("owned", "owned"),
        ("duplicates", "duplicate"),
        ("missing_fields", "missing_fields"),
    ],
)
async def test_bad_items_are_dropped_counted_and_never_shown(
    stack_client: httpx.AsyncClient,
    run_to_end: RunToEnd,
    ollama_mode: SetMode,
    mode: str,
    dropped_as: str,
) -> None:
    await ollama_mode(mode, bad_fraction=0.5)

    run = await run_to_end()

    assert run["status"] == "completed", run
    assert run["filtered_reasons"].get(dropped_as, 0) >= 1, run["filtered_reasons"]
    cards = await _assert_cards_are_real_new_and_unique(stack_client)
    assert len(cards) == 10  # extra rounds made up for what was dropped


@pytest.mark.parametrize("mode", ["fenced_json", "prose", "invalid_json"])
async def test_malformed_output_is_salvaged(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd, ollama_mode: SetMode, mode: str
) -> None:
    await ollama_mode(mode)

    run = await run_to_end()

    assert run["status"] == "completed", run
    await _assert_cards_are_real_new_and_unique(stack_client)


async def test_an_unknown_model_fails_the_run_naming_the_model_to_pull(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd, ollama_mode: SetMode
) -> None:
    await ollama_mode("unknown_model")

    run = await run_to_end()

    assert run["status"] == "failed"
    assert f"model {OLLAMA_MODEL} is not pulled" in run["error"]
    assert f"ollama pull {OLLAMA_MODEL}" in run["error"]
    assert run["error_code"] == "service_not_found"
    assert await feed(stack_client) == []


async def test_a_crashing_model_fails_the_run_clearly(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd, ollama_mode: SetMode
) -> None:
    await ollama_mode("error_500")

    run = await run_to_end()

    assert run["status"] == "failed"
    assert "Ollama" in run["error"]
    assert "Traceback" not in run["error"]


async def test_a_connection_cut_mid_answer_keeps_the_cards_already_found(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd, ollama_mode: SetMode
) -> None:
    await ollama_mode("cut")

    run = await run_to_end()

    cards = await feed(stack_client)
    if cards:
        assert run["status"] == "completed"
        assert run["error"].startswith("Stopped early")
        await _assert_cards_are_real_new_and_unique(stack_client)
    else:
        assert run["status"] == "failed"
    assert "Ollama" in run["error"]


async def test_a_model_that_never_answers_times_out_with_a_clear_message(
    stack_app: FastAPI, sim_stack: SimStack, listener: User, ollama_mode: SetMode
) -> None:
    await ollama_mode("hang", hang_seconds=5)
    hub = stack_app.state.services
    async with stack_app.state.db.sessionmaker() as db:
        prefs = await get_preferences(db, listener.id)
        await db.commit()
        run = RecommendationRun(user_id=listener.id, model=OLLAMA_MODEL, filtered_reasons={})
        db.add(run)
        await db.commit()
        run_id = run.id
    profile = await stack_app.state.recommendations.profiles.get(
        listener.id, await hub.navidrome(listener)
    )
    async with OllamaClient(sim_stack.ollama_url, OLLAMA_MODEL, timeout=0.3) as impatient:
        pipeline = Pipeline(
            stack_app.state.db.sessionmaker, lidarr=await hub.lidarr(), ollama=impatient
        )
        await asyncio.wait_for(pipeline.run(run_id, listener.id, profile, prefs), timeout=20)

    async with stack_app.state.db.sessionmaker() as db:
        stored = await db.scalar(select(RecommendationRun).where(RecommendationRun.id == run_id))
    assert stored is not None
    assert stored.status == RunStatus.FAILED
    assert stored.error_code == "service_timeout"
    assert "did not answer within 0.3 s" in (stored.error or "")
