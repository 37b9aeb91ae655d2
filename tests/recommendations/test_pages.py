"""The pages: feed with live cards, feedback, detail, history, preferences."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
from fastapi import FastAPI

from tastemaker.auth.models import User
from tastemaker.simulators.catalogue import artist_by_mbid
from tests.recommendations.conftest import RunToEnd, SetMode, feed

HTMX = {"HX-Request": "true"}


async def test_a_slow_stream_shows_its_first_card_before_the_run_ends(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, listener: User, ollama_mode: SetMode
) -> None:
    await stack_client.put("/api/settings/preferences", json={"recommendation_count": 3})
    await ollama_mode("slow", slow_token_delay=0.01)
    run = (await stack_client.post("/api/recommendations/runs")).json()

    cards: list[dict[str, object]] = []
    for _ in range(600):  # until the first card, at most about 30 s
        cards = await feed(stack_client)
        if cards:
            break
        await asyncio.sleep(0.05)
    status = (await stack_client.get(f"/api/recommendations/runs/{run['id']}")).json()["status"]
    live = await stack_client.get(f"/recommendations/runs/{run['id']}/live?after=0", headers=HTMX)
    await stack_app.state.recommendations.wait(listener.id)

    assert cards, "no card arrived"
    assert status == "running"
    assert 'hx-swap-oob="beforeend:#latest-cards"' in live.text
    assert str(cards[0]["artist_name"]) in live.text
    assert 'hx-trigger="load, every 20s"' in live.text  # still asking
    again = (await stack_client.post("/api/recommendations/runs")).json()
    assert again["id"] != run["id"]  # the first one finished, so this is a new run
    await stack_app.state.recommendations.wait(listener.id)


async def test_a_waiting_progress_poll_is_answered_with_the_first_card_while_the_run_works(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, listener: User, ollama_mode: SetMode
) -> None:
    await stack_client.put("/api/settings/preferences", json={"recommendation_count": 3})
    await ollama_mode("slow", slow_token_delay=0.01)
    run = (await stack_client.post("/api/recommendations/runs")).json()

    live = await stack_client.get(
        f"/recommendations/runs/{run['id']}/live?after=0&wait=30", headers=HTMX
    )
    status = (await stack_client.get(f"/api/recommendations/runs/{run['id']}")).json()["status"]
    await stack_app.state.recommendations.wait(listener.id)

    assert 'hx-swap-oob="beforeend:#latest-cards"' in live.text  # a card, not a time-out
    assert status == "running"  # answered before the run ended
    assert "&amp;wait=15" in live.text  # and the page asks again, waiting


async def test_starting_while_a_run_works_returns_that_run(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, listener: User, ollama_mode: SetMode
) -> None:
    await ollama_mode("slow", slow_token_delay=0.005)
    first = await stack_client.post("/api/recommendations/runs")
    second = await stack_client.post("/api/recommendations/runs")
    await stack_app.state.recommendations.wait(listener.id)

    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]


async def test_the_feed_shows_cards_with_reasons_links_and_request_buttons(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd
) -> None:
    await run_to_end()
    cards = await feed(stack_client)

    page = await stack_client.get("/recommendations")

    assert page.status_code == 200
    html = page.text
    for card in cards:
        assert str(card["artist_name"]) in html
    # Reasons name the user's own artists, linked into the library.
    assert re.search(r'<a class="font-medium underline[^"]*" href="/library/artists/[\w-]+">', html)
    # The request contract with downloads.
    buttons = re.findall(r"<button[^>]*hx-post=\"/downloads/request\"[^>]*>", html)
    assert buttons
    fields = [json.loads(re.search(r"hx-vals='([^']*)'", b).group(1)) for b in buttons]  # type: ignore[union-attr]
    assert all('hx-swap="outerHTML"' in b for b in buttons)
    album_card = next(c for c in cards if c["album_mbid"])
    assert {
        "artist_mbid": album_card["artist_mbid"],
        "album_mbid": album_card["album_mbid"],
        "recommendation_id": album_card["id"],
    } in fields
    assert {
        "artist_mbid": album_card["artist_mbid"],
        "recommendation_id": album_card["id"],
    } in fields


async def test_liking_and_dismissing_from_the_feed(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd
) -> None:
    await run_to_end()
    liked, dismissed = (await feed(stack_client))[:2]

    like = await stack_client.post(
        f"/recommendations/{liked['id']}/feedback", data={"state": "liked"}, headers=HTMX
    )
    gone = await stack_client.post(
        f"/recommendations/{dismissed['id']}/feedback", data={"state": "dismissed"}, headers=HTMX
    )

    assert like.status_code == 200
    assert 'data-state="liked"' in like.text
    assert gone.status_code == 200
    assert gone.text == ""
    page = (await stack_client.get("/recommendations")).text
    assert f'id="rec-{dismissed["id"]}"' not in page
    assert f'id="rec-{liked["id"]}"' in page
    liked_view = (await stack_client.get("/recommendations?view=liked")).text
    assert f'id="rec-{liked["id"]}"' in liked_view
    assert liked_view.count("data-recommendation=") == 1


async def test_the_detail_page_lists_the_artists_releases_with_request_buttons(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd
) -> None:
    await run_to_end()
    card = (await feed(stack_client))[0]
    artist = artist_by_mbid(str(card["artist_mbid"]))
    assert artist is not None

    page = await stack_client.get(f"/recommendations/{card['id']}")

    assert page.status_code == 200
    for album in artist.albums:
        assert f'data-album="{album.mbid}"' in page.text
        assert f'"album_mbid": "{album.mbid}"' in page.text
    assert f"https://musicbrainz.org/artist/{card['artist_mbid']}" in page.text
    assert "Builds on your artists" in page.text


async def test_the_run_history_shows_why_a_run_failed(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd, ollama_mode: SetMode
) -> None:
    await ollama_mode("unknown_model")
    await run_to_end()

    page = await stack_client.get("/recommendations/runs")

    assert page.status_code == 200
    assert "Failed" in page.text
    assert "ollama pull llama3.2" in page.text
    feed_page = await stack_client.get("/recommendations")
    assert "The last run failed" in feed_page.text


async def test_generate_from_the_page_starts_a_run_and_polls(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, listener: User
) -> None:
    answer = await stack_client.post("/recommendations/runs", headers=HTMX)
    await stack_app.state.recommendations.wait(listener.id)

    assert answer.status_code == 200
    assert 'id="latest-cards"' in answer.text


async def test_other_users_cards_and_runs_are_not_found(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, run_to_end: RunToEnd
) -> None:
    run = await run_to_end()
    card = (await feed(stack_client))[0]
    from tests.conftest import api_login, make_user

    await make_user(stack_app, "other")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=stack_app), base_url="http://testserver"
    ) as other:
        csrf = await api_login(other, "other")
        other.headers["X-CSRF-Token"] = csrf
        assert (await other.get(f"/api/recommendations/runs/{run['id']}")).status_code == 404
        patched = await other.patch(f"/api/recommendations/{card['id']}", json={"state": "liked"})
        assert patched.status_code == 404
        assert patched.headers["content-type"] == "application/problem+json"
        assert (await other.get(f"/recommendations/{card['id']}")).status_code == 404
        assert (await other.get("/api/recommendations")).json()["total"] == 0


async def test_feedback_needs_a_known_state(
    stack_client: httpx.AsyncClient, run_to_end: RunToEnd
) -> None:
    await run_to_end()
    card = (await feed(stack_client))[0]

    answer = await stack_client.patch(f"/api/recommendations/{card['id']}", json={"state": "meh"})

    assert answer.status_code == 422
    assert answer.json()["code"] == "validation_failed"
