"""Under a sub-path (BASE_PATH=/tastemaker): links, assets, redirects, cookies and API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from tastemaker.app import create_app
from tastemaker.settings import Settings
from tests.conftest import PASSWORD, empty_tables, make_user


@pytest.fixture
async def sub_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"base_path": "/tastemaker"}))
    async with LifespanManager(app):
        await make_user(app, "alice")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
        await empty_tables(app)


async def test_pages_and_assets_live_under_the_sub_path(sub_client: httpx.AsyncClient) -> None:
    home = await sub_client.get("/tastemaker/")
    assert home.status_code == 303
    assert home.headers["location"] == "/tastemaker/login?next=/"

    login = await sub_client.get("/tastemaker/login")
    assert login.status_code == 200
    links = re.findall(r'(?:href|src|action)="(/[^"]*)"', login.text)
    assert links
    assert all(link.startswith("/tastemaker/") for link in links), links
    css = next(link for link in links if link.endswith(".css"))
    assert (await sub_client.get(css)).status_code == 200


async def test_the_api_and_its_cookie_are_scoped_to_the_sub_path(
    sub_client: httpx.AsyncClient,
) -> None:
    response = await sub_client.post(
        "/tastemaker/api/auth/login", json={"username": "alice", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "path=/tastemaker" in response.headers["set-cookie"].lower()
    me = await sub_client.get("/tastemaker/api/auth/me")
    assert me.json()["user"]["username"] == "alice"
    missing = await sub_client.get("/tastemaker/api/nope")
    assert missing.headers["content-type"] == "application/problem+json"
