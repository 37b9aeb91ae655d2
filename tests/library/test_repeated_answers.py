"""A listing asked for again is answered before the routing (library/answers.py): what
the ordinary way would refuse or show differently, the repeated answer must too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tastemaker.auth import service as auth_service
from tastemaker.auth.models import Role
from tests.conftest import api_login, api_token, make_user
from tests.library.test_navidrome_account import GUEST, GUEST_PASSWORD

ALBUMS = "/api/library/albums?limit=50"


@pytest.fixture
async def other(stack_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser (``stack_client``'s fixture empties the tables)."""
    transport = httpx.ASGITransport(app=stack_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _twice(http: httpx.AsyncClient, url: str = ALBUMS) -> httpx.Response:
    """The second of two identical calls: the one a repeated answer serves."""
    first = await http.get(url)
    assert first.status_code == 200, first.text
    return await http.get(url)


def _starred(listing: httpx.Response, album_id: str) -> bool:
    starred: bool = next(a for a in listing.json()["items"] if a["id"] == album_id)["starred"]
    return starred


async def test_a_repeated_listing_is_the_same_answer_with_the_same_headers(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    await make_user(stack_app, "alice")
    await api_login(stack_client, "alice")

    first = await stack_client.get(ALBUMS)
    again = await stack_client.get(ALBUMS)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["content-type"] == "application/json"
    assert "frame-ancestors 'none'" in again.headers["content-security-policy"]
    assert again.headers["x-content-type-options"] == "nosniff"


async def test_a_star_shows_in_the_next_listing(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    await make_user(stack_app, "alice")
    stack_client.headers["X-CSRF-Token"] = await api_login(stack_client, "alice")
    listing = await _twice(stack_client)
    album: dict[str, Any] = next(a for a in listing.json()["items"] if not a["starred"])
    detail = f"/api/library/albums/{album['id']}"
    assert (await _twice(stack_client, detail)).json()["starred"] is False

    await stack_client.put(f"{detail}/star")
    starred = await _twice(stack_client)
    starred_detail = await stack_client.get(detail)
    await stack_client.delete(f"{detail}/star")
    unstarred = await stack_client.get(ALBUMS)

    assert _starred(starred, album["id"]) is True
    assert starred_detail.json()["starred"] is True
    assert _starred(unstarred, album["id"]) is False


async def test_each_user_gets_their_own_listing(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    """Alice is her own Navidrome account, Bob the shared one: the same URL, two answers."""
    await make_user(stack_app, "alice")
    csrf = await api_login(stack_client, "alice")
    stack_client.headers["X-CSRF-Token"] = csrf
    await stack_client.post(
        "/settings/profile/navidrome",
        data={
            "csrf_token": csrf,
            "navidrome_username": GUEST,
            "navidrome_password": GUEST_PASSWORD,
        },
    )
    await make_user(stack_app, "bob")
    await api_login(other, "bob")
    shared = await _twice(other)
    album_id = next(a["id"] for a in shared.json()["items"] if not a["starred"])
    await stack_client.put(f"/api/library/albums/{album_id}/star")

    try:
        alice_sees = await _twice(stack_client)
        bob_sees = await _twice(other)
    finally:
        await stack_client.delete(f"/api/library/albums/{album_id}/star")

    assert _starred(alice_sees, album_id) is True
    assert _starred(bob_sees, album_id) is False


async def test_a_signed_out_session_gets_no_listing(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    await make_user(stack_app, "alice")
    csrf = await api_login(stack_client, "alice")
    await _twice(stack_client)
    cookies = httpx.Cookies(stack_client.cookies)

    signed_out = await stack_client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    stack_client.cookies = cookies  # the old cookie, as a copied one would be sent

    assert signed_out.status_code == 204
    refused = await stack_client.get(ALBUMS)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


async def test_a_disabled_user_gets_no_listing(
    stack_app: FastAPI, stack_client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    await make_user(stack_app, "admin", Role.ADMIN)
    csrf = await api_login(stack_client, "admin")
    bob = await make_user(stack_app, "bob")
    await api_login(other, "bob")
    await _twice(other)

    disabled = await stack_client.post(
        f"/settings/users/{bob.id}/active", data={"active": "false", "csrf_token": csrf}
    )

    assert disabled.status_code == 303
    assert (await other.get(ALBUMS)).status_code == 401


async def test_a_revoked_api_token_gets_no_listing(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    bob = await make_user(stack_app, "bob")
    bearer, token_id = await api_token(stack_app, bob)
    stack_client.headers.update(bearer)
    await stack_client.get(ALBUMS)  # stamps the token's first use: remembered from the next
    await _twice(stack_client)

    async with stack_app.state.db.sessionmaker() as db:
        await auth_service.revoke_api_token(db, bob, token_id)

    assert (await stack_client.get(ALBUMS)).status_code == 401


async def test_a_wrong_token_beside_a_good_cookie_is_still_refused(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    """The token is read first, as the ordinary way reads it: a good cookie does not
    make up for a mistyped token."""
    await make_user(stack_app, "alice")
    await api_login(stack_client, "alice")
    await _twice(stack_client)

    refused = await stack_client.get(ALBUMS, headers={"Authorization": "Bearer mistyped"})

    assert refused.status_code == 401


async def test_random_albums_are_never_repeated(
    stack_app: FastAPI, stack_client: httpx.AsyncClient
) -> None:
    await make_user(stack_app, "alice")
    await api_login(stack_client, "alice")

    orders = {
        tuple(a["id"] for a in (await stack_client.get(f"{ALBUMS}&order=random")).json()["items"])
        for _ in range(5)
    }

    assert len(orders) > 1
