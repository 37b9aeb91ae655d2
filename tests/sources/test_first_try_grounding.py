"""How many proposals ground on the first try (round 1), with and without candidates.

Measured on the demo data: the demo library (shared Navidrome account) and the demo
user's sample ListenBrainz and Last.fm histories, through the whole pipeline (the
Ollama simulator writes, the Lidarr simulator resolves). Run with ``-s`` to see the
figures. What the simulated model does with a shortlist is an assumption written in
simulators/ollama/recommend.py (two thirds of its picks from the list; a copied name
is never invented), so these figures check the pipeline, not a real model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tastemaker.auth.models import User
from tests.conftest import api_login, make_user
from tests.servers.listening import ListeningSims  # noqa: F401  (fixtures come via conftest)
from tests.servers.stack import SimStack


async def _first_round(app: FastAPI, http: httpx.AsyncClient, user: User) -> dict[str, int]:
    started = await http.post("/api/recommendations/runs")
    assert started.status_code == 202, started.text
    await app.state.recommendations.wait(user.id)
    run: dict[str, Any] = (
        await http.get(f"/api/recommendations/runs/{started.json()['id']}")
    ).json()
    assert run["status"] == "completed", run
    first: dict[str, int] = run["source_report"]["first_round"]
    return first


@pytest.fixture
async def model_mode(sim_stack: SimStack) -> AsyncIterator[None]:
    yield
    async with httpx.AsyncClient() as http:
        await http.post(f"{sim_stack.ollama_url}/_sim/reset")


@pytest.mark.parametrize("mode", ["normal", "hallucinate"])
async def test_candidates_ground_more_proposals_on_the_first_try(
    mode: str,
    sources_app: FastAPI,
    sources_client: httpx.AsyncClient,
    sim_stack: SimStack,
    model_mode: None,
) -> None:
    async with httpx.AsyncClient() as http:
        await http.post(f"{sim_stack.ollama_url}/_sim/mode", json={"mode": mode})
    figures: dict[str, dict[str, int]] = {}
    for name, with_sources in (("without", False), ("with", True)):
        user = await make_user(sources_app, f"measure-{name}")
        sources_client.cookies.clear()
        sources_client.headers["X-CSRF-Token"] = await api_login(sources_client, user.username)
        if with_sources:
            for kind in ("listenbrainz", "lastfm"):
                answer = await sources_client.put(
                    f"/api/settings/sources/{kind}", json={"username": "demo"}
                )
                assert answer.status_code == 200, answer.text
        figures[name] = await _first_round(sources_app, sources_client, user)

    def rate(f: dict[str, int]) -> str:
        return f"{f.get('resolved', 0)}/{f.get('proposed', 0)} grounded, {f.get('kept', 0)} kept"

    print(
        f"\n[{mode}] first try without candidates: {rate(figures['without'])}; "
        f"with candidates: {rate(figures['with'])}"
    )
    without, with_ = figures["without"], figures["with"]
    share_without = without.get("resolved", 0) / max(1, without["proposed"])
    share_with = with_.get("resolved", 0) / max(1, with_["proposed"])
    assert share_with >= share_without
    if mode == "hallucinate":
        assert share_with > share_without
