"""Sign-in pages: first-run set-up, the login form with its CSRF cookie, sign-out."""

from __future__ import annotations

import re

import httpx

from tastemaker.app import create_app
from tastemaker.auth.models import User
from tastemaker.settings import Settings
from tests.conftest import PASSWORD


def form_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has a CSRF field"
    return match.group(1)


async def test_a_fresh_install_sends_visitors_to_setup(client: httpx.AsyncClient) -> None:
    home = await client.get("/")
    assert home.status_code == 303
    assert home.headers["location"].startswith("/login")

    login = await client.get("/login")
    assert login.status_code == 303
    assert login.headers["location"] == "/setup"


async def test_setup_creates_the_first_admin_and_signs_them_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/setup")
    assert "Create administrator" in page.text

    response = await client.post(
        "/setup",
        data={
            "username": "Root",
            "display_name": "The Admin",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "csrf_token": form_csrf(page.text),
        },
    )

    assert response.status_code == 303
    me = (await client.get("/api/auth/me")).json()["user"]
    assert me["username"] == "root"
    assert me["role"] == "admin"
    dashboard = await client.get("/")
    assert "Welcome, The Admin" in dashboard.text


async def test_setup_is_closed_once_a_user_exists(
    client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, admin: User
) -> None:
    page = await client.get("/setup")
    assert page.status_code == 303

    # Even a hand-made post cannot create a second admin.
    login = await anonymous_client.get("/login")
    response = await anonymous_client.post(
        "/setup",
        data={
            "username": "mallory",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "csrf_token": form_csrf(login.text),
        },
    )
    assert response.status_code == 403
    assert "already set up" in response.text


async def test_setup_shows_what_is_wrong_and_keeps_the_input(client: httpx.AsyncClient) -> None:
    page = await client.get("/setup")

    response = await client.post(
        "/setup",
        data={
            "username": "ok-name",
            "display_name": "Kept",
            "password": PASSWORD,
            "password_confirm": "something else",
            "csrf_token": form_csrf(page.text),
        },
    )

    assert response.status_code == 422
    assert "Does not match the password" in response.text
    assert 'value="ok-name"' in response.text
    assert 'value="Kept"' in response.text


async def test_the_login_form_needs_its_csrf_token(client: httpx.AsyncClient, admin: User) -> None:
    await client.get("/login")

    response = await client.post("/login", data={"username": "alice", "password": PASSWORD})

    assert response.status_code == 403
    assert "reload the page" in response.text
    assert "tastemaker_session" not in response.cookies


async def test_signing_in_and_out_through_the_pages(client: httpx.AsyncClient, admin: User) -> None:
    page = await client.get("/login?next=/settings/profile")
    response = await client.post(
        "/login",
        data={
            "username": "alice",
            "password": PASSWORD,
            "next": "/settings/profile",
            "csrf_token": form_csrf(page.text),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/settings/profile"

    profile = await client.get("/settings/profile")
    assert "Signed in as alice" in profile.text

    signed_out = await client.post("/logout", data={"csrf_token": form_csrf(profile.text)})
    assert signed_out.status_code == 303
    assert (await client.get("/api/auth/me")).status_code == 401
    login_again = await client.get("/login")
    assert "You are signed out." in login_again.text


async def test_a_wrong_password_on_the_page_says_so(client: httpx.AsyncClient, admin: User) -> None:
    page = await client.get("/login")

    response = await client.post(
        "/login",
        data={"username": "alice", "password": "bad-password", "csrf_token": form_csrf(page.text)},
    )

    assert response.status_code == 401
    assert "Wrong user name or password" in response.text
    assert 'value="alice"' in response.text


async def test_the_page_says_when_to_try_again_after_too_many_failures(
    client: httpx.AsyncClient, admin: User
) -> None:
    page = await client.get("/login")
    token = form_csrf(page.text)
    for _ in range(5):
        await client.post(
            "/login", data={"username": "alice", "password": "bad", "csrf_token": token}
        )

    response = await client.post(
        "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 429
    assert re.search(r"Try again in \d+ seconds", response.text)


async def test_next_never_leaves_the_app(client: httpx.AsyncClient, admin: User) -> None:
    page = await client.get("/login")

    response = await client.post(
        "/login",
        data={
            "username": "alice",
            "password": PASSWORD,
            "next": "//evil.example/steal",
            "csrf_token": form_csrf(page.text),
        },
    )

    assert response.headers["location"] == "/"


async def test_unknown_pages_get_a_styled_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Tastemaker" in response.text
    assert "Traceback" not in response.text


async def test_an_unexpected_error_shows_no_stack_trace(settings: Settings) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internals")

    app = create_app(settings)  # its own app: the shared one keeps only real routes
    app.add_api_route("/api/test-explode", explode)
    app.add_api_route("/test-explode", explode)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        api = await http.get("/api/test-explode")
        page = await http.get("/test-explode")

    assert api.status_code == 500
    assert api.json()["code"] == "internal_error"
    assert "secret internals" not in api.text
    assert page.status_code == 500
    assert "secret internals" not in page.text
