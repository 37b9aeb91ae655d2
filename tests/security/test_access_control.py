"""Every route refuses who it should, enumerated from the app's own route table."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tastemaker.auth.models import Role
from tests.conftest import api_login, make_user
from tests.security.routes import app_routes

# Routes anyone may call. Adding to this list is a decision, not an accident.
PUBLIC = {
    ("GET", "/api/health"),
    ("GET", "/api/health/live"),  # for orchestrators' probes
    ("GET", "/api/health/ready"),
    ("GET", "/api/docs"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/auth/login"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/setup"),
    ("POST", "/setup"),
    ("POST", "/api/webhooks/lidarr"),  # authenticated by Lidarr's shared secret instead
}


def test_every_route_is_either_public_or_requires_a_user(app: FastAPI) -> None:
    unprotected = [
        (r.method, r.path)
        for r in app_routes(app)
        if not r.requires_user and (r.method, r.path) not in PUBLIC
    ]

    assert unprotected == [], "routes without require_principal must be listed in PUBLIC"


async def test_anonymous_visitors_are_refused_everywhere_but_public_routes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    checked = 0
    for route in app_routes(app):
        if (route.method, route.path) in PUBLIC:
            continue
        response = await client.request(route.method, route.example_path())
        if route.is_api:
            assert response.status_code == 401, f"{route.method} {route.path}"
            assert response.headers["content-type"] == "application/problem+json"
        else:
            assert response.status_code in (303, 401), f"{route.method} {route.path}"
            if response.status_code == 303:
                assert "/login" in response.headers["location"]
        checked += 1
    assert checked >= 10


async def test_plain_users_are_refused_on_every_admin_route(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await make_user(app, "root", Role.ADMIN)
    await make_user(app, "bob")
    csrf = await api_login(client, "bob")
    admin_routes = [r for r in app_routes(app) if r.requires_admin]

    for route in admin_routes:
        response = await client.request(
            route.method, route.example_path(), headers={"X-CSRF-Token": csrf}
        )
        assert response.status_code == 403, f"{route.method} {route.path}"
    assert len(admin_routes) >= 5


async def test_cookie_requests_without_the_csrf_token_are_refused_on_every_unsafe_route(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await make_user(app, "root", Role.ADMIN)
    await api_login(client, "root")
    unsafe = [r for r in app_routes(app) if r.requires_user and r.method not in {"GET", "HEAD"}]

    for route in unsafe:
        response = await client.request(route.method, route.example_path())
        assert response.status_code == 403, f"{route.method} {route.path}"
    assert (await client.get("/api/auth/me")).status_code == 200, "still signed in"
    assert len(unsafe) >= 10


async def test_a_wrong_method_is_a_405_naming_every_allowed_method(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    wrong = await client.request("PATCH", "/api/settings/services")
    word_id = await client.request("PATCH", "/api/recommendations/runs")

    assert wrong.status_code == 405
    assert set(wrong.headers["allow"].split(", ")) == {"GET", "HEAD", "PUT"}
    assert wrong.headers["content-type"] == "application/problem+json"
    assert word_id.status_code == 405, "a word is not an id: no 422 from the id route"
    assert "POST" in word_id.headers["allow"]
