"""Profile and admin user management: passwords end sessions, the last admin stays."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tastemaker.auth.models import Role, User
from tests.conftest import PASSWORD, api_login, make_user

NEW_PASSWORD = "a brand new passphrase"


async def test_changing_the_password_ends_the_other_sessions(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    await api_login(anonymous_client, "alice")  # a second browser

    response = await client.post(
        "/settings/profile/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
            "csrf_token": signed_in_admin,
        },
    )

    assert response.status_code == 303
    assert (await client.get("/api/auth/me")).status_code == 200, "this browser stays in"
    assert (await anonymous_client.get("/api/auth/me")).status_code == 401
    await api_login(anonymous_client, "alice", NEW_PASSWORD)


async def test_a_wrong_current_password_changes_nothing(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    response = await client.post(
        "/settings/profile/password",
        data={
            "current_password": "not my password",
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
            "csrf_token": signed_in_admin,
        },
    )

    assert response.status_code == 422
    assert "Wrong password" in response.text
    client.cookies.clear()
    await api_login(client, "alice", PASSWORD)


async def test_sign_out_everywhere_else(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    await api_login(anonymous_client, "alice")

    response = await client.post(
        "/settings/profile/sessions/end-others", data={"csrf_token": signed_in_admin}
    )

    assert response.status_code == 303
    assert (await anonymous_client.get("/api/auth/me")).status_code == 401
    assert (await client.get("/api/auth/me")).status_code == 200


async def test_the_profile_lists_this_browser(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    page = await client.get("/settings/profile", headers={"User-Agent": "TestBrowser/1.0"})

    assert page.status_code == 200
    assert "This browser" in page.text


async def test_an_admin_adds_a_user_who_can_sign_in(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    response = await client.post(
        "/settings/users",
        data={
            "username": "bob",
            "password": PASSWORD,
            "role": "user",
            "csrf_token": signed_in_admin,
        },
    )

    assert response.status_code == 303
    page = await client.get("/settings/users")
    assert "bob" in page.text
    await api_login(anonymous_client, "bob")


async def test_a_plain_user_cannot_open_the_users_page(
    app: FastAPI, client: httpx.AsyncClient, admin: User
) -> None:
    await make_user(app, "bob")
    csrf = await api_login(client, "bob")

    page = await client.get("/settings/users")
    create = await client.post(
        "/settings/users", data={"username": "eve", "password": PASSWORD, "csrf_token": csrf}
    )

    assert page.status_code == 403
    assert create.status_code == 403
    assert "Only administrators" in page.text


async def test_the_last_admin_cannot_be_demoted_or_disabled(
    client: httpx.AsyncClient, admin: User, signed_in_admin: str
) -> None:
    demote = await client.post(
        f"/settings/users/{admin.id}/role", data={"role": "user", "csrf_token": signed_in_admin}
    )
    disable = await client.post(
        f"/settings/users/{admin.id}/active",
        data={"active": "false", "csrf_token": signed_in_admin},
    )

    assert demote.status_code == disable.status_code == 303
    me = (await client.get("/api/auth/me")).json()["user"]
    assert me["role"] == "admin"
    assert me["is_active"] is True
    page = await client.get("/settings/users")
    assert "last administrator" in page.text


async def test_with_two_admins_one_can_be_demoted(
    app: FastAPI, client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    carol = await make_user(app, "carol", Role.ADMIN)

    await client.post(
        f"/settings/users/{carol.id}/role", data={"role": "user", "csrf_token": signed_in_admin}
    )

    async with app.state.db.sessionmaker() as session:
        refreshed = await session.get(User, carol.id)
        assert refreshed is not None
        assert refreshed.role == Role.USER


async def test_disabling_a_user_signs_them_out(
    app: FastAPI,
    client: httpx.AsyncClient,
    anonymous_client: httpx.AsyncClient,
    signed_in_admin: str,
) -> None:
    bob = await make_user(app, "bob")
    await api_login(anonymous_client, "bob")

    await client.post(
        f"/settings/users/{bob.id}/active", data={"active": "false", "csrf_token": signed_in_admin}
    )

    assert (await anonymous_client.get("/api/auth/me")).status_code == 401
    refused = await anonymous_client.post(
        "/api/auth/login", json={"username": "bob", "password": PASSWORD}
    )
    assert refused.status_code == 401


async def test_an_admin_password_reset_signs_the_user_out(
    app: FastAPI,
    client: httpx.AsyncClient,
    anonymous_client: httpx.AsyncClient,
    signed_in_admin: str,
) -> None:
    bob = await make_user(app, "bob")
    await api_login(anonymous_client, "bob")

    await client.post(
        f"/settings/users/{bob.id}/password",
        data={"password": NEW_PASSWORD, "csrf_token": signed_in_admin},
    )

    assert (await anonymous_client.get("/api/auth/me")).status_code == 401
    await api_login(anonymous_client, "bob", NEW_PASSWORD)


async def test_the_theme_is_remembered_per_user(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    response = await client.post(
        "/settings/theme",
        data={"theme": "dark", "next": "/settings/profile", "csrf_token": signed_in_admin},
    )

    assert response.status_code == 303
    page = await client.get("/settings/profile")
    assert 'data-theme="dark"' in page.text
