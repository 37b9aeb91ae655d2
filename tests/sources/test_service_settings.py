"""Settings → Services: admins set up ListenBrainz and Last.fm, tested before saving."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tastemaker.services.models import ServiceSetting
from tests.servers.listening import LASTFM_KEY, ListeningSims


async def test_lastfm_with_a_wrong_key_is_refused_naming_last_fm(
    client: httpx.AsyncClient, signed_in_admin: str, listening_sims: ListeningSims
) -> None:
    response = await client.put(
        "/api/settings/services",
        json={"lastfm": {"url": f"{listening_sims.lastfm_url}/2.0/", "api_key": "f" * 32}},
        headers={"X-CSRF-Token": signed_in_admin},
    )

    assert response.status_code == 502
    assert response.json()["code"] == "service_auth_failed"
    assert response.json()["service"] == "lastfm"
    assert response.json()["detail"] == "Last.fm rejected the API key — check Settings → Services"
    services = (await client.get("/api/settings/services")).json()["services"]
    lastfm = next(s for s in services if s["key"] == "lastfm")
    assert (lastfm["configured"], lastfm["optional"]) == (False, True)


async def test_lastfm_is_saved_with_its_key_encrypted_and_then_checked_in_health(
    app: FastAPI, client: httpx.AsyncClient, signed_in_admin: str, listening_sims: ListeningSims
) -> None:
    response = await client.put(
        "/api/settings/services",
        json={"lastfm": {"url": f"{listening_sims.lastfm_url}/2.0/", "api_key": LASTFM_KEY}},
        headers={"X-CSRF-Token": signed_in_admin},
    )

    assert response.status_code == 200, response.text
    assert LASTFM_KEY not in response.text
    async with app.state.db.sessionmaker() as db:
        stored = (await db.scalars(select(ServiceSetting.value))).all()
    assert stored
    assert all(LASTFM_KEY not in value for value in stored)
    health = (await client.get("/api/health")).json()["components"]
    assert health["lastfm"]["status"] == "ok"
    assert "listenbrainz" not in health, "a source nobody set up is not checked"


async def test_testing_listenbrainz_reports_the_api_and_labs(
    client: httpx.AsyncClient, signed_in_admin: str, listening_sims: ListeningSims
) -> None:
    url = listening_sims.listenbrainz_url
    works = await client.post(
        "/api/settings/services/listenbrainz/test",
        json={"values": {"url": url, "labs_url": url}},
        headers={"X-CSRF-Token": signed_in_admin},
    )
    no_labs = await client.post(
        "/api/settings/services/listenbrainz/test",
        json={"values": {"url": url, "labs_url": f"{url}/nothing-here"}},
        headers={"X-CSRF-Token": signed_in_admin},
    )

    assert works.status_code == 200, works.text
    assert works.json()["version"] == "ListenBrainz API v1"
    assert works.json()["warnings"] == []
    assert no_labs.status_code == 200
    assert no_labs.json()["warnings"][0].startswith("Similar artists (Labs) unavailable")


async def test_the_services_page_shows_the_sources_as_optional(
    client: httpx.AsyncClient, signed_in_admin: str
) -> None:
    page = await client.get("/settings/services")

    assert page.status_code == 200
    assert "ListenBrainz" in page.text
    assert "Last.fm" in page.text
    assert page.text.count("Optional · off") == 2
    dashboard = await client.get("/")
    assert "Last.fm" not in dashboard.text, "optional sources are not nagged about"
