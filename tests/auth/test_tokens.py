"""API tokens: created on the profile page, used as Bearer, revocable."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from tastemaker.auth import service
from tastemaker.auth.models import User


async def _create_token(app: FastAPI, username: str, name: str = "script") -> str:
    async with app.state.db.sessionmaker() as session:
        user = await service.get_user_by_name(session, username)
        assert user is not None
        plaintext, _ = await service.create_api_token(session, user, name)
        return plaintext


async def test_a_bearer_token_authenticates_without_a_cookie(
    app: FastAPI, client: httpx.AsyncClient, admin: User
) -> None:
    token = await _create_token(app, "alice")

    response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json()["user"]["username"] == "alice"
    assert response.json()["auth"] == "token"


async def test_bearer_requests_need_no_csrf_token(
    app: FastAPI, client: httpx.AsyncClient, admin: User
) -> None:
    token = await _create_token(app, "alice")

    response = await client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 204


async def test_a_wrong_token_is_refused(client: httpx.AsyncClient, admin: User) -> None:
    response = await client.get("/api/auth/me", headers={"Authorization": "Bearer tm_not-a-token"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def test_tokens_are_shown_once_on_the_profile_and_work_until_revoked(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    page = await client.post(
        "/settings/profile/tokens", data={"name": "backup", "csrf_token": signed_in_admin}
    )
    assert page.status_code == 200
    match = re.search(r'data-testid="new-token">(tm_[A-Za-z0-9_-]+)<', page.text)
    assert match, "the new token is shown on the page"
    token = match.group(1)
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 200

    profile = await client.get("/settings/profile")
    assert token not in profile.text, "the token is never shown again"
    token_id = re.search(r"/settings/profile/tokens/(\d+)/revoke", profile.text)
    assert token_id

    revoked = await client.post(
        f"/settings/profile/tokens/{token_id.group(1)}/revoke", data={"csrf_token": signed_in_admin}
    )
    assert revoked.status_code == 303
    assert (await client.get("/api/auth/me", headers=bearer)).status_code == 401


async def test_a_user_cannot_revoke_another_users_token(
    app: FastAPI, client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    from tests.conftest import make_user

    await make_user(app, "bob")
    bobs_token = await _create_token(app, "bob")
    async with app.state.db.sessionmaker() as session:
        bob = await service.get_user_by_name(session, "bob")
        assert bob is not None
        (token,) = await service.list_api_tokens(session, bob)

    response = await client.post(
        f"/settings/profile/tokens/{token.id}/revoke", data={"csrf_token": signed_in_admin}
    )

    assert response.status_code == 404
    still = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {bobs_token}"})
    assert still.status_code == 200
