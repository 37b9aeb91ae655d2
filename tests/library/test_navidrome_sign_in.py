"""Optional "sign in with your Navidrome account" (``NAVIDROME_SIGN_IN``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select

from tastemaker.app import create_app as create_tastemaker_app
from tastemaker.auth.models import Role, User
from tastemaker.settings import Settings
from tests.conftest import empty_tables, make_user

GUEST, GUEST_PASSWORD = "guest", "guest-listener"  # an account of the stack's simulator


@pytest.fixture(scope="session")
async def sign_in_app(stack_settings: Settings) -> AsyncIterator[FastAPI]:
    # Its background work would compete with ``stack_app``'s on the same database and
    # Lidarr for the rest of the session: one app per database does it, as in use.
    application = create_tastemaker_app(
        stack_settings.model_copy(update={"navidrome_sign_in": True, "background_work": "never"})
    )
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def http(sign_in_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sign_in_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await empty_tables(sign_in_app)


async def _user(app: FastAPI, name: str) -> User | None:
    async with app.state.db.sessionmaker() as session:
        user: User | None = await session.scalar(select(User).where(User.username == name))
        return user


async def test_a_navidrome_account_signs_in_and_becomes_a_user(
    sign_in_app: FastAPI, http: httpx.AsyncClient
) -> None:
    await make_user(sign_in_app, "alice", Role.ADMIN)  # the app is set up

    response = await http.post(
        "/api/auth/login", json={"username": GUEST, "password": GUEST_PASSWORD}
    )
    artists = await http.get("/api/library/artists")

    assert response.status_code == 200
    assert response.json()["user"]["username"] == GUEST
    user = await _user(sign_in_app, GUEST)
    assert user is not None
    assert user.role == Role.USER
    assert user.navidrome_username == GUEST
    assert artists.status_code == 200


async def test_a_wrong_navidrome_password_does_not_sign_in(
    sign_in_app: FastAPI, http: httpx.AsyncClient
) -> None:
    await make_user(sign_in_app, "alice", Role.ADMIN)

    response = await http.post("/api/auth/login", json={"username": GUEST, "password": "nope"})

    assert response.status_code == 401
    assert await _user(sign_in_app, GUEST) is None


async def test_the_login_page_mentions_navidrome_accounts(
    sign_in_app: FastAPI, http: httpx.AsyncClient
) -> None:
    await make_user(sign_in_app, "alice", Role.ADMIN)

    page = await http.get("/login")

    assert "Your Navidrome name and password work here too." in page.text


async def test_without_the_setting_navidrome_accounts_do_not_sign_in(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    await make_user(stack_app, "alice", Role.ADMIN)

    response = await stack_client.post(
        "/api/auth/login", json={"username": GUEST, "password": GUEST_PASSWORD}
    )

    assert response.status_code == 401
    assert await _user(stack_app, GUEST) is None


async def test_an_existing_user_of_that_name_is_linked(
    sign_in_app: FastAPI, http: httpx.AsyncClient
) -> None:
    existing = await make_user(sign_in_app, GUEST, Role.ADMIN)

    response = await http.post(
        "/api/auth/login", json={"username": GUEST, "password": GUEST_PASSWORD}
    )

    assert response.status_code == 200
    assert response.json()["user"]["id"] == existing.id
    user = await _user(sign_in_app, GUEST)
    assert user is not None
    assert user.navidrome_username == GUEST
    assert user.role == Role.ADMIN
