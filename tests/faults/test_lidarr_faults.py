"""Lidarr down, slow past the timeout, answering 500, answering garbage, or closing the
connection mid-answer: requests are still taken, none is lost or failed for it, and
each completes once Lidarr is back; the API and the pages name Lidarr."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tastemaker.simulators import catalogue
from tastemaker.simulators.lidarr.state import SimState
from tests.faults.conftest import FAULTS, Breaker, Fault, eventually, untouched_albums
from tests.servers.stack import SimStack

CODES: dict[Fault, str] = {
    "down": "service_unavailable",
    "slow": "service_timeout",
    "error_500": "service_bad_response",
    "garbage": "service_bad_response",
    "cut": "service_unavailable",
}
STATUSES = {"service_unavailable": 503, "service_timeout": 504, "service_bad_response": 502}
# The worker keeps trying: a request waits in one of these while Lidarr cannot be reached.
WAITING = {"queued", "sent", "searching", "downloading", "importing"}


@pytest.fixture
def lidarr_sim(sim_stack: SimStack) -> Iterator[SimState]:
    state: SimState = sim_stack.lidarr_app.state.sim
    saved = state.config.seconds_per_album
    state.config.seconds_per_album = 3.0  # long enough to break Lidarr mid-download
    yield state
    state.config.seconds_per_album = saved


async def _request(browser: httpx.AsyncClient, album: catalogue.Album) -> dict[str, Any]:
    answer = await browser.post(
        "/api/downloads", json={"artist_mbid": album.artist_mbid, "album_mbid": album.mbid}
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def _status(browser: httpx.AsyncClient, request_id: int) -> str:
    answer = await browser.get(f"/api/downloads/{request_id}")
    assert answer.status_code == 200, answer.text
    status: str = answer.json()["status"]
    return status


@pytest.mark.parametrize("fault", FAULTS)
async def test_requests_made_or_running_while_lidarr_fails_are_kept_and_complete_after(
    fault: Fault, breaker: Breaker, browser: httpx.AsyncClient, lidarr_sim: SimState
) -> None:
    albums = untouched_albums(lidarr_sim)
    running = await _request(browser, next(albums))

    async def downloading() -> bool:
        return await _status(browser, running["id"]) == "downloading"

    await eventually(downloading, what="the first download")
    await breaker.break_("lidarr", fault)
    taken = await _request(browser, next(albums))  # accepted while Lidarr fails
    await asyncio.sleep(1.2)  # many worker cycles (0.1 s) against the failing Lidarr

    assert await _status(browser, running["id"]) in WAITING
    assert await _status(browser, taken["id"]) in WAITING
    listed = (await browser.get("/api/downloads")).json()
    assert listed["total"] == 2

    await breaker.mend()

    async def both_completed() -> bool:
        return {await _status(browser, r["id"]) for r in (running, taken)} == {"completed"}

    await eventually(both_completed, within=60, what="both requests completing")


@pytest.mark.parametrize("fault", FAULTS)
async def test_testing_the_connection_answers_a_problem_naming_lidarr(
    fault: Fault, breaker: Breaker, browser: httpx.AsyncClient
) -> None:
    await breaker.break_("lidarr", fault)

    response = await browser.post("/api/settings/services/lidarr/test")

    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], response.status_code) == (CODES[fault], STATUSES[CODES[fault]])
    assert problem["service"] == "lidarr"
    assert "Lidarr" in problem["detail"]


@pytest.mark.parametrize("fault", FAULTS)
async def test_the_download_pages_say_lidarr_is_the_problem(
    fault: Fault, breaker: Breaker, browser: httpx.AsyncClient
) -> None:
    await breaker.break_("lidarr", fault)

    search = await browser.get("/downloads/new", params={"q": "Ghost"})
    queue = await browser.get("/downloads")

    assert "Lidarr" in search.text
    assert "Traceback" not in search.text
    assert queue.status_code == 200
