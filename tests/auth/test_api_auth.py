"""Sign-in through the JSON API: sessions, CSRF, tokens, rate limits, problem+json."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from tastemaker.auth.models import Role, User, UserSession
from tastemaker.db import utcnow
from tests.conftest import PASSWORD, api_login, make_user

PROBLEM = "application/problem+json"


async def test_login_returns_the_user_and_a_csrf_token(
    client: httpx.AsyncClient, admin: User
) -> None:
    response = await client.post(
        "/api/auth/login", json={"username": "Alice", "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "alice"
    assert body["user"]["role"] == "admin"
    assert len(body["csrf_token"]) >= 32
    assert "password_hash" not in body["user"]
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


async def test_me_names_the_signed_in_user(client: httpx.AsyncClient, signed_in_admin: str) -> None:
    response = await client.get("/api/auth/me")

    assert response.status_code == 200
    assert response.json()["user"]["username"] == "alice"
    assert response.json()["auth"] == "session"


async def test_me_without_a_session_is_a_401_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/me")

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["status"] == 401


async def test_logout_without_csrf_is_refused_and_the_session_survives(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    refused = await client.post("/api/auth/logout")
    wrong = await client.post("/api/auth/logout", headers={"X-CSRF-Token": "not-the-token"})

    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["code"] == "csrf_failed"
    assert wrong.status_code == 403
    assert (await client.get("/api/auth/me")).status_code == 200


async def test_logout_with_csrf_ends_the_session(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    anonymous_client.cookies.set("tastemaker_session", client.cookies["tastemaker_session"])

    response = await client.post("/api/auth/logout", headers={"X-CSRF-Token": signed_in_admin})

    assert response.status_code == 204
    assert (await client.get("/api/auth/me")).status_code == 401
    # The old cookie is dead on the server too, not just deleted in this browser.
    assert (await anonymous_client.get("/api/auth/me")).status_code == 401


async def test_wrong_password_is_a_401_with_a_stable_code(
    client: httpx.AsyncClient, admin: User
) -> None:
    response = await client.post(
        "/api/auth/login", json={"username": "alice", "password": "nope-nope"}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert "tastemaker_session" not in response.cookies


async def test_unknown_user_and_wrong_password_look_the_same(
    client: httpx.AsyncClient, admin: User
) -> None:
    unknown = await client.post(
        "/api/auth/login", json={"username": "bob", "password": "whatever1"}
    )
    wrong = await client.post(
        "/api/auth/login", json={"username": "alice", "password": "whatever1"}
    )

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


async def test_repeated_failures_are_rate_limited_with_retry_after(
    client: httpx.AsyncClient, admin: User
) -> None:
    for _ in range(5):
        await client.post("/api/auth/login", json={"username": "alice", "password": "wrong-pass"})

    blocked = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})

    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == PROBLEM
    assert blocked.json()["code"] == "rate_limited"
    assert int(blocked.headers["retry-after"]) > 0


async def test_each_login_gets_a_new_session_id(client: httpx.AsyncClient, admin: User) -> None:
    await api_login(client, "alice")
    first = client.cookies["tastemaker_session"]
    client.cookies.clear()
    await api_login(client, "alice")

    assert client.cookies["tastemaker_session"] != first


async def test_validation_errors_name_the_failing_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/login", json={"username": ""})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"username", "password"} <= fields


async def test_unknown_api_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "not_found"


async def test_a_disabled_user_is_signed_out_at_once(
    app: FastAPI, client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    async with app.state.db.sessionmaker() as session:
        await session.execute(update(User).where(User.username == "alice").values(is_active=False))
        await session.commit()

    assert (await client.get("/api/auth/me")).status_code == 401


async def test_an_idle_session_expires(
    app: FastAPI, client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    long_ago = utcnow() - timedelta(minutes=app.state.settings.session_idle_minutes + 1)
    async with app.state.db.sessionmaker() as session:
        await session.execute(update(UserSession).values(last_seen_at=long_ago))
        await session.commit()

    assert (await client.get("/api/auth/me")).status_code == 401


async def test_a_session_past_its_absolute_lifetime_expires(
    app: FastAPI, client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    async with app.state.db.sessionmaker() as session:
        await session.execute(
            update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()

    assert (await client.get("/api/auth/me")).status_code == 401


async def test_the_session_of_one_user_does_not_sign_in_another(
    app: FastAPI, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, admin: User
) -> None:
    await make_user(app, "bob", Role.USER)
    await api_login(client, "alice")
    await api_login(anonymous_client, "bob")

    assert (await client.get("/api/auth/me")).json()["user"]["username"] == "alice"
    assert (await anonymous_client.get("/api/auth/me")).json()["user"]["username"] == "bob"
