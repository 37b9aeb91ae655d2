"""Connecting listening sources on the profile page and through the API."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tastemaker.auth.models import User
from tastemaker.sources.models import ListeningSource
from tests.servers.listening import LB_TOKEN


async def test_the_profile_offers_both_sources_when_an_admin_set_them_up(
    sources_client: httpx.AsyncClient, lena: User
) -> None:
    page = await sources_client.get("/settings/profile")

    assert page.status_code == 200
    assert "Listening sources" in page.text
    assert "Connect ListenBrainz" in page.text
    assert "Connect Last.fm" in page.text


async def test_a_listenbrainz_name_is_checked_then_shown_as_connected(
    sources_client: httpx.AsyncClient, lena: User
) -> None:
    answer = await sources_client.post(
        "/settings/profile/sources/listenbrainz",
        data={"username": "lena", "csrf_token": sources_client.headers["X-CSRF-Token"]},
    )

    assert answer.status_code == 303
    page = await sources_client.get("/settings/profile")
    assert "ListenBrainz connected: your next recommendations use it." in page.text
    assert "As <strong>lena</strong>" in page.text
    assert "Not used by a run yet" in page.text


async def test_an_unknown_name_is_refused_with_the_services_answer_and_nothing_saved(
    sources_app: FastAPI, sources_client: httpx.AsyncClient, lena: User
) -> None:
    page = await sources_client.post(
        "/settings/profile/sources/lastfm",
        data={"username": "nobody-here", "csrf_token": sources_client.headers["X-CSRF-Token"]},
    )

    assert page.status_code == 422
    assert "Last.fm not connected" in page.text
    assert "Last.fm has no user named “nobody-here”" in page.text
    async with sources_app.state.db.sessionmaker() as db:
        assert (await db.scalars(select(ListeningSource))).all() == []


async def test_a_listenbrainz_token_names_the_user_and_is_stored_encrypted(
    sources_app: FastAPI, sources_client: httpx.AsyncClient, lena: User
) -> None:
    answer = await sources_client.put(
        "/api/settings/sources/listenbrainz", json={"username": "Lena", "token": LB_TOKEN}
    )

    assert answer.status_code == 200, answer.text
    listenbrainz = next(s for s in answer.json()["items"] if s["kind"] == "listenbrainz")
    assert listenbrainz["username"] == "lena"
    assert listenbrainz["has_token"] is True
    assert LB_TOKEN not in answer.text
    async with sources_app.state.db.sessionmaker() as db:
        stored = await db.scalar(select(ListeningSource))
        assert stored is not None
        assert stored.token_encrypted
        assert LB_TOKEN not in stored.token_encrypted
        assert sources_app.state.secret_box.decrypt(stored.token_encrypted) == LB_TOKEN
    page = await sources_client.get("/settings/profile")
    assert LB_TOKEN not in page.text


async def test_a_wrong_token_is_refused(sources_client: httpx.AsyncClient, lena: User) -> None:
    answer = await sources_client.put(
        "/api/settings/sources/listenbrainz", json={"username": "lena", "token": "nope"}
    )

    assert answer.status_code == 502
    assert answer.json()["code"] == "service_auth_failed"
    assert answer.json()["detail"].startswith("ListenBrainz does not accept this token")


async def test_an_unknown_name_is_a_404_through_the_api(
    sources_client: httpx.AsyncClient, lena: User
) -> None:
    answer = await sources_client.put(
        "/api/settings/sources/listenbrainz", json={"username": "nobody-here"}
    )

    assert answer.status_code == 404
    assert answer.json()["code"] == "source_user_not_found"
    assert answer.json()["detail"] == "ListenBrainz has no user named “nobody-here”"


# \s as a JSON Schema client (ECMAScript regular expressions) reads it.
ECMASCRIPT_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def as_ecmascript(pattern: str) -> str:
    return pattern.replace(r"\S", f"[^{ECMASCRIPT_SPACE}]").replace(r"\s", ECMASCRIPT_SPACE)


async def test_a_name_of_only_spaces_or_control_characters_is_refused_as_the_schema_says(
    sources_client: httpx.AsyncClient, lena: User
) -> None:
    """The long fuzzing run sent "\u001e": the documented pattern (\\S) let it through,
    and Python's strip() then found the name empty. They agree now."""
    documented = (await sources_client.get("/api/openapi.json")).json()
    pattern = documented["components"]["schemas"]["SourceIn"]["properties"]["username"]["pattern"]

    for name in ("\u001e", " \u001c\t", "\ufeff", "\u0085"):
        answer = await sources_client.put(
            "/api/settings/sources/listenbrainz", json={"username": name}
        )
        assert answer.status_code == 422, (name, answer.text)
        assert answer.json()["code"] == "validation_failed"
        assert re.search(as_ecmascript(pattern), name) is None, name
    assert re.search(as_ecmascript(pattern), " lena ")


async def test_disconnecting_forgets_the_source(
    sources_client: httpx.AsyncClient, lena: User
) -> None:
    await sources_client.put("/api/settings/sources/lastfm", json={"username": "lena"})

    gone = await sources_client.delete("/api/settings/sources/lastfm")
    again = await sources_client.delete("/api/settings/sources/lastfm")

    assert gone.status_code == 204
    assert again.status_code == 404
    listed = (await sources_client.get("/api/settings/sources")).json()["items"]
    assert [s["connected"] for s in listed] == [False, False]


async def test_without_an_admins_set_up_the_sources_are_not_available(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from tests.conftest import api_login, make_user

    await make_user(app, "otto")
    client.headers["X-CSRF-Token"] = await api_login(client, "otto")

    listed = (await client.get("/api/settings/sources")).json()["items"]
    refused = await client.put("/api/settings/sources/lastfm", json={"username": "otto"})
    page = await client.get("/settings/profile")

    assert [s["available"] for s in listed] == [False, False]
    assert refused.status_code == 409
    assert refused.json()["code"] == "source_not_available"
    assert refused.json()["detail"].startswith("Last.fm is turned off on this server")
    assert "An administrator can turn Last.fm on under Settings → Services" in page.text
