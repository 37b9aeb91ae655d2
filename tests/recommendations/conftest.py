"""Fixtures for recommendation tests: the app wired to the three simulators.

``ollama_mode`` switches the Ollama simulator into a misbehaving mode for one test
and resets it afterwards; ``run_to_end`` starts a run through the API and waits
for it to finish (through the run manager, so no test sleeps or polls on a clock).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tastemaker.auth.models import User
from tests.conftest import api_login, make_user
from tests.servers.stack import *  # noqa: F403
from tests.servers.stack import SimStack

SetMode = Callable[..., Awaitable[None]]


@pytest.fixture
async def ollama_mode(sim_stack: SimStack) -> AsyncIterator[SetMode]:
    async def set_mode(mode: str, **extra: Any) -> None:
        async with httpx.AsyncClient(base_url=sim_stack.ollama_url) as http:
            answer = await http.post("/_sim/mode", json={"mode": mode, **extra})
            answer.raise_for_status()

    yield set_mode
    async with httpx.AsyncClient(base_url=sim_stack.ollama_url) as http:
        await http.post("/_sim/reset")


@pytest.fixture
async def listener(stack_app: FastAPI, stack_client: httpx.AsyncClient) -> User:
    """A signed-in user (on ``stack_client``); their CSRF token is on ``stack_client.headers``."""
    user = await make_user(stack_app, "lena")
    token = await api_login(stack_client, "lena")
    stack_client.headers["X-CSRF-Token"] = token
    return user


RunToEnd = Callable[[], Awaitable[dict[str, Any]]]


@pytest.fixture
def run_to_end(stack_app: FastAPI, stack_client: httpx.AsyncClient, listener: User) -> RunToEnd:
    async def run() -> dict[str, Any]:
        started = await stack_client.post("/api/recommendations/runs")
        assert started.status_code == 202, started.text
        await stack_app.state.recommendations.wait(listener.id)
        finished = await stack_client.get(f"/api/recommendations/runs/{started.json()['id']}")
        assert finished.status_code == 200
        result: dict[str, Any] = finished.json()
        return result

    return run


async def feed(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    answer = await client.get("/api/recommendations", params={"limit": 200, **params})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items
