"""Listening-source tests: the app wired to all five simulators, and a signed-in ``lena``.

``lena`` uses the shared Navidrome account (the demo library) and has sample
ListenBrainz and Last.fm histories in the simulators (see tests/servers/listening.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tastemaker.auth.models import User
from tests.conftest import api_login, make_user
from tests.servers.listening import *  # noqa: F403

RunToEnd = Callable[[], Awaitable[dict[str, Any]]]


@pytest.fixture
async def lena(sources_app: FastAPI, sources_client: httpx.AsyncClient) -> User:
    """Signed in on ``sources_client``; the CSRF token is on its headers."""
    user = await make_user(sources_app, "lena")
    sources_client.headers["X-CSRF-Token"] = await api_login(sources_client, "lena")
    return user


@pytest.fixture
def run_to_end(sources_app: FastAPI, sources_client: httpx.AsyncClient, lena: User) -> RunToEnd:
    """Start a run through the API and wait for it through the run manager (no clock)."""

    async def run() -> dict[str, Any]:
        started = await sources_client.post("/api/recommendations/runs")
        assert started.status_code == 202, started.text
        await sources_app.state.recommendations.wait(lena.id)
        finished = await sources_client.get(f"/api/recommendations/runs/{started.json()['id']}")
        assert finished.status_code == 200
        result: dict[str, Any] = finished.json()
        return result

    return run


async def connect_both(http: httpx.AsyncClient) -> None:
    for kind in ("listenbrainz", "lastfm"):
        answer = await http.put(f"/api/settings/sources/{kind}", json={"username": "lena"})
        assert answer.status_code == 200, answer.text
