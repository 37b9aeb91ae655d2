"""Ollama down, hanging past the timeout, answering 500, answering garbage, or closing the
connection mid-answer: a recommendation run fails with a stable code and a message
naming Ollama, the cards of earlier runs stay, and the page says what went wrong."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.faults.conftest import FAULTS, Breaker, Fault, eventually

CODES: dict[Fault, str] = {
    "down": "service_unavailable",
    "slow": "service_timeout",
    "error_500": "service_bad_response",
    "garbage": "service_bad_response",
    "cut": "service_bad_response",  # Ollama stopped in the middle of its answer
}


async def _run(browser: httpx.AsyncClient) -> dict[str, Any]:
    started = await browser.post("/api/recommendations/runs")
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    finished: dict[str, Any] = {}

    async def done() -> bool:
        finished.update((await browser.get(f"/api/recommendations/runs/{run_id}")).json())
        return bool(finished["status"] != "running")

    await eventually(done, what="the run ending")
    return finished


async def _cards(browser: httpx.AsyncClient) -> list[int]:
    answer = await browser.get("/api/recommendations", params={"limit": 200})
    return [card["id"] for card in answer.json()["items"]]


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_run_fails_naming_ollama_and_earlier_cards_stay(
    fault: Fault, breaker: Breaker, browser: httpx.AsyncClient
) -> None:
    healthy = await _run(browser)
    assert healthy["status"] == "completed", healthy
    before = await _cards(browser)
    await breaker.break_("ollama", fault)

    run = await _run(browser)
    page = await browser.get("/recommendations")

    assert run["status"] == "failed"
    assert run["error_code"] == CODES[fault], run
    assert "Ollama" in run["error"]
    assert await _cards(browser) == before
    assert "Ollama" in page.text
    assert "Traceback" not in page.text
