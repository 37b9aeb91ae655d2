"""Things done at the same instant: feedback on one card, sign-ins, token use.

(Fifty identical download requests at once making one request is in
``tests/downloads/test_lifecycle.py``, against the Lidarr simulator.)
"""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from tastemaker.auth.models import UserSession
from tastemaker.recommendations.models import Recommendation, RecommendationRun, RunStatus
from tests.conftest import PASSWORD, api_login, api_token, make_user

STATES = ["liked", "disliked", "dismissed", "new"]


def _browser(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_simultaneous_feedback_on_one_card_keeps_one_final_state(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user = await make_user(app, "bob")
    client.headers["X-CSRF-Token"] = await api_login(client, "bob")
    async with app.state.db.sessionmaker() as db:
        run = RecommendationRun(user_id=user.id, status=RunStatus.COMPLETED, filtered_reasons={})
        db.add(run)
        await db.flush()
        card = Recommendation(
            run_id=run.id,
            user_id=user.id,
            kind="artist",
            artist_name="Someone",
            artist_mbid="0383dadf-2a4e-4d10-a46a-e9e041da8eb3",
            reason="because",
        )
        db.add(card)
        await db.commit()

    answers = await asyncio.gather(
        *(
            client.patch(f"/api/recommendations/{card.id}", json={"state": STATES[i % 4]})
            for i in range(40)
        )
    )

    assert {a.status_code for a in answers} <= {200, 409}, [a.text for a in answers]
    assert any(a.status_code == 200 for a in answers)
    final = (await client.get(f"/api/recommendations/{card.id}")).json()["state"]
    assert final in STATES
    async with app.state.db.sessionmaker() as db:
        count = await db.scalar(
            select(func.count()).select_from(Recommendation).where(Recommendation.id == card.id)
        )
        stored = await db.get(Recommendation, card.id)
    assert count == 1
    assert stored is not None
    assert stored.state == final


async def test_two_sign_ins_at_once_give_two_working_sessions(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await make_user(app, "bob")
    async with _browser(app) as phone, _browser(app) as laptop:
        answers = await asyncio.gather(
            *(
                browser.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
                for browser in (phone, laptop)
            )
        )

        assert [a.status_code for a in answers] == [200, 200]
        assert phone.cookies["tastemaker_session"] != laptop.cookies["tastemaker_session"]
        for browser in (phone, laptop):
            assert (await browser.get("/api/auth/me")).json()["user"]["username"] == "bob"
    async with app.state.db.sessionmaker() as db:
        sessions = await db.scalar(select(func.count()).select_from(UserSession))
    assert sessions == 2


async def test_many_sign_ins_of_different_people_at_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    names = [f"listener{i}" for i in range(10)]
    for name in names:
        await make_user(app, name)
    browsers = [_browser(app) for _ in names]
    try:
        answers = await asyncio.gather(
            *(
                browser.post("/api/auth/login", json={"username": name, "password": PASSWORD})
                for browser, name in zip(browsers, names, strict=True)
            )
        )
        assert [a.status_code for a in answers] == [200] * len(names)
        mes = await asyncio.gather(*(browser.get("/api/auth/me") for browser in browsers))
        assert [m.json()["user"]["username"] for m in mes] == names
    finally:
        for browser in browsers:
            await browser.aclose()


async def test_one_token_used_by_many_scripts_at_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user = await make_user(app, "bob")
    bearer, _ = await api_token(app, user)

    answers = await asyncio.gather(*(client.get("/api/auth/me", headers=bearer) for _ in range(30)))

    assert {a.status_code for a in answers} == {200}
