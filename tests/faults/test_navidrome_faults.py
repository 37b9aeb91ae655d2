"""Navidrome down, slow past the timeout, answering 500, answering garbage, or closing the
connection mid-answer: for browsing, streaming and the dashboard, the API answers a
problem+json with a stable code naming Navidrome and the pages say what is wrong."""

from __future__ import annotations

import httpx
import pytest

from tests.faults.conftest import FAULTS, Breaker, Fault

# The stable code for each fault (what a script can rely on).
CODES: dict[Fault, str] = {
    "down": "service_unavailable",
    "slow": "service_timeout",
    "error_500": "service_bad_response",
    "garbage": "service_bad_response",
    "cut": "service_unavailable",  # the answer broke off: like no answer at all
}
STATUSES = {"service_unavailable": 503, "service_timeout": 504, "service_bad_response": 502}


def assert_problem_names_navidrome(response: httpx.Response, fault: Fault) -> None:
    assert response.headers["content-type"] == "application/problem+json", response.text
    problem = response.json()
    assert (problem["code"], response.status_code) == (CODES[fault], STATUSES[CODES[fault]]), (
        problem
    )
    assert problem["service"] == "navidrome"
    assert "Navidrome" in problem["detail"]


@pytest.mark.parametrize("fault", FAULTS)
async def test_browsing_the_library_answers_a_problem_naming_navidrome(
    fault: Fault, breaker: Breaker, browser: httpx.AsyncClient
) -> None:
    await breaker.break_("navidrome", fault)

    for path in ("/api/library/albums", "/api/library/artists", "/api/library/search?query=a"):
        assert_problem_names_navidrome(await browser.get(path), fault)


@pytest.mark.parametrize("fault", FAULTS)
async def test_the_library_pages_say_navidrome_is_the_problem(
    fault: Fault, breaker: Breaker, browser: httpx.AsyncClient
) -> None:
    await breaker.break_("navidrome", fault)

    for path in ("/library", "/library/albums", "/library/songs?query=a"):
        page = await browser.get(path)
        assert page.status_code == STATUSES[CODES[fault]], path
        assert "text/html" in page.headers["content-type"]
        assert "Navidrome" in page.text, path
        assert "Traceback" not in page.text
        assert 'id="player"' in page.text, "the layout and the player are still there"


@pytest.mark.parametrize("fault", FAULTS)
async def test_streaming_a_song_answers_a_problem_naming_navidrome(
    fault: Fault, breaker: Breaker, browser: httpx.AsyncClient
) -> None:
    songs = (await browser.get("/api/library/songs", params={"limit": 1})).json()["items"]
    await breaker.break_("navidrome", fault)

    response = await browser.get(f"/api/library/songs/{songs[0]['id']}/stream")

    assert_problem_names_navidrome(response, fault)


@pytest.mark.parametrize("fault", FAULTS)
async def test_the_dashboard_still_opens_and_names_navidrome(
    fault: Fault, breaker: Breaker, browser: httpx.AsyncClient
) -> None:
    await breaker.break_("navidrome", fault)

    page = await browser.get("/")

    assert page.status_code == 200
    assert "Navidrome" in page.text
    assert "Traceback" not in page.text
