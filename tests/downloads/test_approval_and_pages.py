"""Approval, the request button recommendation cards swap in, and the pages people see."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy import select

from tastemaker.recommendations.models import Recommendation, RecommendationRun
from tastemaker.simulators import catalogue
from tests.downloads.conftest import PersonFactory, an_album

Fresh = Callable[[], catalogue.Artist]


async def test_with_approval_on_requests_wait_and_admins_approve_or_reject(
    person: PersonFactory, fresh_artist: Fresh
) -> None:
    root = await person("root", admin=True)
    bob = await person("bob")
    turned_on = await root.http.put(
        "/api/downloads/settings",
        json={"approval_required": True},
        headers={"X-CSRF-Token": root.csrf},
    )
    assert turned_on.json()["approval_required"] is True
    first, second = fresh_artist(), fresh_artist()

    waiting = (await bob.request(first.mbid, an_album(first).mbid)).json()
    refused = (await bob.request(second.mbid, an_album(second).mbid)).json()
    own = await root.request(second.mbid, an_album(second).mbid)

    assert waiting["status"] == refused["status"] == "pending_approval"
    assert own.json()["status"] != "pending_approval"
    assert (await bob.post(f"/api/downloads/{waiting['id']}/approve")).status_code == 403
    approved = await root.post(f"/api/downloads/{waiting['id']}/approve")
    assert approved.status_code == 200
    rejected = await root.post(
        f"/api/downloads/{refused['id']}/reject", json={"reason": "We have it on vinyl"}
    )
    assert rejected.json()["status"] == "rejected"
    seen = (await bob.get(f"/api/downloads/{refused['id']}")).json()
    assert seen["rejection_reason"] == "We have it on vinyl"
    done = await bob.wait_for(waiting["id"], "completed", "failed")
    assert done["status"] == "completed"
    page = await root.get("/downloads/approvals")
    assert page.status_code == 200
    assert "Request rules" in page.text


async def test_the_card_button_requests_and_marks_the_recommendation(
    person: PersonFactory, fresh_artist: Fresh, downloads_stack: FastAPI
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)
    user_id = (await bob.get("/api/auth/me")).json()["user"]["id"]
    async with downloads_stack.state.db.sessionmaker() as session:
        run = RecommendationRun(user_id=user_id)
        session.add(run)
        await session.flush()
        card = Recommendation(
            run_id=run.id,
            user_id=user_id,
            kind="album",
            artist_name=artist.name,
            artist_mbid=artist.mbid,
            album_title=album.title,
            album_mbid=album.mbid,
            reason="Because",
        )
        session.add(card)
        await session.commit()
        card_id = card.id

    answer = await bob.http.post(
        "/downloads/request",
        data={"artist_mbid": artist.mbid, "album_mbid": album.mbid, "recommendation_id": card_id},
        headers={"X-CSRF-Token": bob.csrf, "HX-Request": "true"},
    )

    assert answer.status_code == 200
    assert "Requested · queued" in answer.text
    assert 'href="/downloads/' in answer.text
    async with downloads_stack.state.db.sessionmaker() as session:
        state = await session.scalar(
            select(Recommendation.state).where(Recommendation.id == card_id)
        )
    assert state == "requested"


async def test_the_queue_history_and_detail_pages_show_the_request(
    person: PersonFactory, fresh_artist: Fresh
) -> None:
    bob = await person("bob")
    artist = fresh_artist()
    album = an_album(artist)
    created = (await bob.request(artist.mbid, album.mbid)).json()

    queue = await bob.get("/downloads")
    assert queue.status_code == 200
    assert album.title in queue.text
    assert 'role="progressbar"' in queue.text
    live = await bob.get("/downloads/live", headers={"HX-Request": "true"})
    assert 'id="queue-live"' in live.text
    assert "<html" not in live.text
    await bob.wait_for(created["id"], "completed")
    detail = await bob.get(f"/downloads/{created['id']}")
    assert "Timeline" in detail.text
    assert "Play now" in detail.text
    assert 'href="/library/albums/' in detail.text
    history = await bob.get("/downloads/history?status=completed")
    assert album.title in history.text


async def test_find_music_marks_owned_and_requested_music(
    person: PersonFactory, fresh_artist: Fresh
) -> None:
    bob = await person("bob")
    owned = catalogue.owned_artists()[0]
    page = await bob.get("/downloads/new", params={"q": owned.name})
    assert page.status_code == 200
    assert "In your library" in page.text
    artist = fresh_artist()
    album = an_album(artist)
    await bob.request(artist.mbid, album.mbid)
    page = await bob.get("/downloads/new", params={"q": album.title})
    assert "Requested" in page.text


async def test_find_music_says_clearly_when_lidarr_is_down(
    person: PersonFactory, sim_stack: object
) -> None:
    from tastemaker.simulators.lidarr.state import SimState

    bob = await person("bob")
    state: SimState = sim_stack.lidarr_app.state.sim  # type: ignore[attr-defined]
    state.config.faults.status_code = 503
    page = await bob.get("/downloads/new", params={"q": "anything"})
    assert page.status_code == 200
    assert "Lidarr could not search" in page.text
    assert "Lidarr failed" in page.text
