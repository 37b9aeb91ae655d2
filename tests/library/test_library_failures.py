"""When Navidrome is down or rejects the credentials, the API answers a problem that
names Navidrome and the pages explain it, never a stack trace."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from tastemaker.auth.models import Role, User
from tests.conftest import api_login, make_user


async def _sign_in(app: FastAPI, http: httpx.AsyncClient, role: Role = Role.USER) -> None:
    await make_user(app, "alice", role)
    http.headers["X-CSRF-Token"] = await api_login(http, "alice")


async def test_navidrome_down_is_a_503_problem_naming_navidrome(
    down_app: FastAPI, down_client: httpx.AsyncClient
) -> None:
    await _sign_in(down_app, down_client)

    response = await down_client.get("/api/library/artists")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "service_unavailable"
    assert problem["service"] == "navidrome"
    assert "Could not reach Navidrome" in problem["detail"]


async def test_navidrome_down_streams_nothing_and_says_why(
    down_app: FastAPI, down_client: httpx.AsyncClient
) -> None:
    await _sign_in(down_app, down_client)

    response = await down_client.get(
        "/api/library/songs/abc/stream", headers={"Range": "bytes=0-9"}
    )

    assert response.status_code == 503
    assert response.json()["service"] == "navidrome"


async def test_navidrome_down_library_page_explains_and_keeps_the_shell(
    down_app: FastAPI, down_client: httpx.AsyncClient
) -> None:
    await _sign_in(down_app, down_client)

    page = await down_client.get("/library")

    assert page.status_code == 503
    assert "Navidrome is not answering" in page.text
    assert "Could not reach Navidrome" in page.text
    assert "Try again" in page.text
    assert 'id="player"' in page.text  # the layout (and the player) are still there
    assert "Traceback" not in page.text


async def test_navidrome_down_dashboard_still_shows_the_counts(
    down_app: FastAPI, down_client: httpx.AsyncClient
) -> None:
    await _sign_in(down_app, down_client)

    page = await down_client.get("/")

    assert page.status_code == 200
    assert "Could not reach Navidrome" in page.text
    assert "new recommendations" in page.text
    assert "open download requests" in page.text


async def _link_wrong_password(app: FastAPI) -> None:
    box = app.state.secret_box
    async with app.state.db.sessionmaker() as session:
        await session.execute(
            update(User)
            .where(User.username == "alice")
            .values(navidrome_username="demo", navidrome_password_encrypted=box.encrypt("wrong"))
        )
        await session.commit()


async def test_wrong_navidrome_password_is_a_problem_naming_navidrome(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    await _sign_in(stack_app, stack_client)
    await _link_wrong_password(stack_app)

    response = await stack_client.get("/api/library/albums")
    page = await stack_client.get("/library/albums")

    assert response.status_code == 502
    assert response.json()["code"] == "service_auth_failed"
    assert "Navidrome rejected the user name or password" in response.json()["detail"]
    assert page.status_code == 502
    assert "Navidrome rejected the user name or password" in page.text
    assert "Your Navidrome account" in page.text


async def test_the_library_needs_a_signed_in_user(stack_client: httpx.AsyncClient) -> None:
    api = await stack_client.get("/api/library/artists")
    page = await stack_client.get("/library")

    assert api.status_code == 401
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
