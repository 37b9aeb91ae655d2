"""Each Tastemaker user is themselves in Navidrome: linking their own account."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tastemaker.auth.models import Role, User
from tests.conftest import api_login, make_user

GUEST, GUEST_PASSWORD = "guest", "guest-listener"  # an account of the stack's simulator


async def _user(app: FastAPI, name: str) -> User:
    async with app.state.db.sessionmaker() as session:
        user: User | None = await session.scalar(select(User).where(User.username == name))
        assert user is not None
        return user


async def _signed_in(app: FastAPI, http: httpx.AsyncClient, name: str) -> str:
    await make_user(app, name, Role.USER)
    token = await api_login(http, name)
    http.headers["X-CSRF-Token"] = token
    return token


async def test_linking_checks_the_password_with_navidrome_and_stores_it_encrypted(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    token = await _signed_in(stack_app, stack_client, "alice")

    response = await stack_client.post(
        "/settings/profile/navidrome",
        data={
            "csrf_token": token,
            "navidrome_username": GUEST,
            "navidrome_password": GUEST_PASSWORD,
        },
    )
    profile = await stack_client.get("/settings/profile")

    assert response.status_code == 303
    user = await _user(stack_app, "alice")
    assert user.navidrome_username == GUEST
    assert user.navidrome_password_encrypted
    assert GUEST_PASSWORD not in user.navidrome_password_encrypted
    assert stack_app.state.secret_box.decrypt(user.navidrome_password_encrypted) == GUEST_PASSWORD
    assert "Linked as" in profile.text
    assert GUEST_PASSWORD not in profile.text


async def test_a_wrong_password_is_not_saved(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    token = await _signed_in(stack_app, stack_client, "alice")

    response = await stack_client.post(
        "/settings/profile/navidrome",
        data={"csrf_token": token, "navidrome_username": GUEST, "navidrome_password": "nope"},
    )

    assert response.status_code == 422
    assert "Navidrome rejected the user name or password" in response.text
    assert (await _user(stack_app, "alice")).navidrome_username is None


async def test_stars_belong_to_the_linked_account(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=stack_app), base_url="http://t")
    token = await _signed_in(stack_app, stack_client, "alice")
    await stack_client.post(
        "/settings/profile/navidrome",
        data={
            "csrf_token": token,
            "navidrome_username": GUEST,
            "navidrome_password": GUEST_PASSWORD,
        },
    )
    await _signed_in(stack_app, other, "bob")  # bob uses the shared account
    albums = (await stack_client.get("/api/library/albums", params={"limit": 50})).json()["items"]
    shared = (await other.get("/api/library/albums", params={"limit": 50})).json()["items"]
    starred_by_shared = {a["id"] for a in shared if a["starred"]}
    album = next(a for a in albums if not a["starred"] and a["id"] not in starred_by_shared)

    await stack_client.put(f"/api/library/albums/{album['id']}/star")
    alice_sees = (await stack_client.get(f"/api/library/albums/{album['id']}")).json()
    bob_sees = (await other.get(f"/api/library/albums/{album['id']}")).json()
    await stack_client.delete(f"/api/library/albums/{album['id']}/star")

    assert alice_sees["starred"] is True
    assert bob_sees["starred"] is False


async def test_unlinking_goes_back_to_the_shared_account(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    token = await _signed_in(stack_app, stack_client, "alice")
    await stack_client.post(
        "/settings/profile/navidrome",
        data={
            "csrf_token": token,
            "navidrome_username": GUEST,
            "navidrome_password": GUEST_PASSWORD,
        },
    )

    response = await stack_client.post(
        "/settings/profile/navidrome/unlink", data={"csrf_token": token}
    )

    assert response.status_code == 303
    user = await _user(stack_app, "alice")
    assert user.navidrome_username is None
    assert user.navidrome_password_encrypted is None
