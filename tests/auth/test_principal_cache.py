"""Sessions and tokens are remembered between requests (auth/principal_cache.py), yet
every way of ending or changing them takes effect on the very next request."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role, User
from tastemaker.db import Database
from tests.conftest import api_login, api_token, make_user

COOKIE = "tastemaker_session"


@pytest.fixture
async def browser(app: FastAPI, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser on the same app (``client``'s fixture empties the tables)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _me(http: httpx.AsyncClient) -> int:
    return (await http.get("/api/auth/me")).status_code


async def test_a_session_ended_from_another_browser_is_refused_at_once(
    app: FastAPI, client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    await make_user(app, "bob")
    csrf = await api_login(client, "bob")
    await api_login(browser, "bob")
    assert await _me(browser) == 200
    assert await _me(browser) == 200  # remembered now

    ended = await client.post("/settings/profile/sessions/end-others", data={"csrf_token": csrf})

    assert ended.status_code == 303
    assert await _me(browser) == 401
    assert await _me(client) == 200, "the browser that asked stays signed in"


async def test_a_user_disabled_by_an_admin_is_signed_out_at_once(
    app: FastAPI, client: httpx.AsyncClient, browser: httpx.AsyncClient, signed_in_admin: str
) -> None:
    bob = await make_user(app, "bob")
    await api_login(browser, "bob")
    assert await _me(browser) == 200

    disabled = await client.post(
        f"/settings/users/{bob.id}/active", data={"active": "false", "csrf_token": signed_in_admin}
    )

    assert disabled.status_code == 303
    assert await _me(browser) == 401


async def test_an_admin_made_a_user_loses_admin_pages_at_once(
    app: FastAPI, client: httpx.AsyncClient, browser: httpx.AsyncClient, signed_in_admin: str
) -> None:
    carol = await make_user(app, "carol", Role.ADMIN)
    await api_login(browser, "carol")
    assert (await browser.get("/settings/users")).status_code == 200

    demoted = await client.post(
        f"/settings/users/{carol.id}/role", data={"role": "user", "csrf_token": signed_in_admin}
    )

    assert demoted.status_code == 303
    assert (await browser.get("/settings/users")).status_code == 403
    me = await browser.get("/api/auth/me")
    assert me.json()["user"]["role"] == "user"


async def test_a_revoked_api_token_is_refused_at_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    bob = await make_user(app, "bob")
    bearer, token_id = await api_token(app, bob)
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 200

    async with app.state.db.sessionmaker() as db:
        await auth_service.revoke_api_token(db, bob, token_id)

    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 401


async def test_a_change_made_outside_the_app_reaches_it_within_the_time_limit(
    app: FastAPI, client: httpx.AsyncClient, database_url: str
) -> None:
    """The CLI writes through an engine of its own: no event reaches the app."""
    principals = app.state.principals
    ttl, principals.ttl = principals.ttl, 0.3
    try:
        bob = await make_user(app, "bob")
        await api_login(client, "bob")
        assert await _me(client) == 200  # remembered for 0.3 s from now
        outside = Database(database_url)
        try:
            async with outside.sessionmaker() as db:
                await db.execute(update(User).where(User.id == bob.id).values(is_active=False))
                await db.commit()
        finally:
            await outside.dispose()
        await asyncio.sleep(0.4)

        assert await _me(client) == 401
    finally:
        principals.ttl = ttl


async def test_unknown_tokens_are_not_remembered(app: FastAPI, client: httpx.AsyncClient) -> None:
    await make_user(app, "bob")
    await api_login(client, "bob")
    assert await _me(client) == 200
    remembered = len(app.state.principals)
    transport = httpx.ASGITransport(app=app)

    for _ in range(50):
        cookies = {COOKIE: secrets.token_urlsafe(32)}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", cookies=cookies
        ) as guesser:
            assert await _me(guesser) == 401
    bearer = {"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 401

    assert len(app.state.principals) == remembered
