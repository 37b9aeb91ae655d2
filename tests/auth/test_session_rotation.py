"""Session ids are the server's own and change at every sign-in; a user shut out is out
everywhere at once, tokens included; a revoked token is dead for every request."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from tastemaker.auth import service as auth_service
from tastemaker.auth.models import User
from tests.conftest import PASSWORD, api_login, api_token, make_user

COOKIE = "tastemaker_session"


async def test_a_session_id_planted_in_the_browser_is_never_adopted(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await make_user(app, "bob")
    planted = "attacker-chosen-session-id-0123456789abcdef"
    client.cookies.set(COOKIE, planted)

    signed_in = await client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})

    assert signed_in.status_code == 200
    assert signed_in.cookies[COOKIE] != planted
    fixated = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    )
    fixated.cookies.set(COOKIE, planted)
    async with fixated:
        assert (await fixated.get("/api/auth/me")).status_code == 401


async def test_signing_in_again_gives_a_new_id_and_the_page_form_does_too(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await make_user(app, "bob")
    await api_login(client, "bob")
    first = client.cookies[COOKIE]

    await api_login(client, "bob")
    second = client.cookies[COOKIE]
    form = await client.get("/login")  # signed in: sent on
    assert form.status_code in (303, 307)

    assert second != first


async def test_a_disabled_users_tokens_stop_working_at_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bob = await make_user(app, "bob")
    bearer, _ = await api_token(app, bob)
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 200

    async with app.state.db.sessionmaker() as db:
        await db.execute(update(User).where(User.id == bob.id).values(is_active=False))
        await db.commit()

    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 401
    signing_in = await client.post(
        "/api/auth/login", json={"username": "bob", "password": PASSWORD}
    )
    assert signing_in.status_code == 401


async def test_a_revoked_token_is_refused_on_every_kind_of_request(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bob = await make_user(app, "bob")
    bearer, token_id = await api_token(app, bob)
    async with app.state.db.sessionmaker() as db:
        await auth_service.revoke_api_token(db, bob, token_id)

    reads = await client.get("/api/downloads", headers=bearer)
    writes = await client.put("/api/settings/preferences", json={"notes": "x"}, headers=bearer)

    assert (reads.status_code, writes.status_code) == (401, 401)
    assert reads.headers["content-type"] == "application/problem+json"
