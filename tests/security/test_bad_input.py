"""Bad input: oversized bodies and fields, unicode edge cases, wrong types, SQL and HTML
injection, in every text field that is stored and shown again.

Each nasty value either comes back as a clear 4xx with nothing stored (the field keeps
its old value), or it is stored verbatim and every page that shows it shows it
escaped: never executed as markup or template, never run as SQL.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from markupsafe import escape
from sqlalchemy import func, select

from tastemaker.auth.models import Role, User
from tastemaker.downloads.models import DownloadRequest, DownloadStatus
from tastemaker.request_guard import MAX_BODY_BYTES
from tests.conftest import api_login, make_user

NASTY = {
    "sql": "Robert'); DROP TABLE users;--",
    "sql_or": "' OR '1'='1' --",
    "script": '<script>alert("x")</script>',
    "attribute": '"><img src=x onerror=alert(1)>',
    "template": "{{ 7*7 }}{% if 1 %}x{% endif %}",
    "right_to_left": "\u202egnp.exe",
    "emoji": "🎸🤘🏽",
    "combining": "e\u0301\u0301\u0301",
    "zero_width": "a\u200bb\u200dc",
    "astral": "𝄞 𠜎",
}
MARKUP = {"script", "attribute"}
NUL = "before\x00after"


@dataclass
class Field:
    """A text field a user stores and a page shows again."""

    name: str
    save: Callable[[httpx.AsyncClient, str, str], Awaitable[httpx.Response]]  # value, csrf
    read: Callable[[httpx.AsyncClient], Awaitable[str]]  # what is stored now
    page: str  # where it is shown


async def _save_notes(http: httpx.AsyncClient, value: str, csrf: str) -> httpx.Response:
    return await http.put(
        "/api/settings/preferences", json={"notes": value}, headers={"X-CSRF-Token": csrf}
    )


async def _save_genre(http: httpx.AsyncClient, value: str, csrf: str) -> httpx.Response:
    return await http.put(
        "/api/settings/preferences",
        json={"favourite_genres": [value], "excluded_artists": [value]},
        headers={"X-CSRF-Token": csrf},
    )


async def _save_playlist_name(http: httpx.AsyncClient, value: str, csrf: str) -> httpx.Response:
    return await http.put(
        "/api/settings/preferences",
        json={"discoveries_playlist_name": value},
        headers={"X-CSRF-Token": csrf},
    )


async def _save_notes_by_form(http: httpx.AsyncClient, value: str, csrf: str) -> httpx.Response:
    current = (await http.get("/api/settings/preferences")).json()
    form = {
        "csrf_token": csrf,
        "notes": value,
        "discovery_level": str(current["discovery_level"]),
        "recommendation_count": str(current["recommendation_count"]),
        "recommendation_kinds": current["recommendation_kinds"],
        "refresh_schedule": current["refresh_schedule"],
        "release_types": current["release_types"],
    }
    return await http.post("/settings/preferences", data=form)


async def _save_display_name(http: httpx.AsyncClient, value: str, csrf: str) -> httpx.Response:
    return await http.post("/settings/profile", data={"display_name": value, "csrf_token": csrf})


async def _read_preference(key: str, http: httpx.AsyncClient) -> str:
    value = (await http.get("/api/settings/preferences")).json()[key]
    return json.dumps(value) if isinstance(value, list) else str(value)


async def _read_display_name(http: httpx.AsyncClient) -> str:
    return str((await http.get("/api/auth/me")).json()["user"]["display_name"])


FIELDS = [
    Field(
        "preference notes (API)",
        _save_notes,
        lambda http: _read_preference("notes", http),
        "/settings/preferences",
    ),
    Field(
        "preference notes (page form)",
        _save_notes_by_form,
        lambda http: _read_preference("notes", http),
        "/settings/preferences",
    ),
    Field(
        "favourite genres and excluded artists",
        _save_genre,
        lambda http: _read_preference("favourite_genres", http),
        "/settings/preferences",
    ),
    Field(
        "discoveries playlist name",
        _save_playlist_name,
        lambda http: _read_preference("discoveries_playlist_name", http),
        "/settings/preferences",
    ),
    Field("display name", _save_display_name, _read_display_name, "/settings/profile"),
]


@pytest.fixture
async def bob(app: FastAPI, client: httpx.AsyncClient) -> str:
    await make_user(app, "bob")
    return await api_login(client, "bob")


def _stored_form(field: Field, value: str) -> str:
    return json.dumps([value]) if field.name.startswith("favourite") else value


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
@pytest.mark.parametrize("kind", list(NASTY))
async def test_a_nasty_value_is_stored_verbatim_and_shown_escaped(
    app: FastAPI, client: httpx.AsyncClient, bob: str, field: Field, kind: str
) -> None:
    value = NASTY[kind]

    saved = await field.save(client, value, bob)
    page = await client.get(field.page)

    assert saved.status_code < 400, saved.text
    assert await field.read(client) == _stored_form(field, value)
    assert page.status_code == 200
    assert str(escape(value)) in page.text, "shown as text: escaped, never run as a template"
    if kind in MARKUP:
        assert value not in page.text, "never as markup"
    async with app.state.db.sessionmaker() as db:
        assert await db.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
async def test_a_nul_character_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, bob: str, field: Field
) -> None:
    await field.save(client, "before", bob)
    kept = await field.read(client)

    refused = await field.save(client, NUL, bob)

    assert refused.status_code == 400
    assert "NUL" in refused.text
    assert await field.read(client) == kept


async def test_an_oversized_body_is_a_413_problem_and_nothing_is_stored(
    client: httpx.AsyncClient, bob: str
) -> None:
    huge = "x" * (MAX_BODY_BYTES + 1)

    api = await client.put(
        "/api/settings/preferences", json={"notes": huge}, headers={"X-CSRF-Token": bob}
    )
    form = await client.post("/settings/profile", data={"display_name": huge, "csrf_token": bob})

    assert api.status_code == 413
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["code"] == "payload_too_large"
    assert form.status_code == 413
    assert "text/html" in form.headers["content-type"]
    assert (await client.get("/api/settings/preferences")).json()["notes"] == ""


async def test_a_body_sent_in_chunks_past_the_limit_is_refused_too(
    client: httpx.AsyncClient, bob: str
) -> None:
    async def chunks() -> object:
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536

    answer = await client.put(
        "/api/settings/preferences",
        content=chunks(),  # type: ignore[arg-type]
        headers={"X-CSRF-Token": bob, "Content-Type": "application/json"},
    )

    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notes": "x" * 1001}, "notes"),
        ({"favourite_genres": ["x" * 101]}, "favourite_genres.0"),
        ({"favourite_genres": ["rock"] * 51}, "favourite_genres"),
        ({"discoveries_playlist_name": "x" * 101}, "discoveries_playlist_name"),
        ({"notes": 5}, "notes"),
        ({"discovery_level": "50"}, "discovery_level"),
        ({"discovery_level": True}, "discovery_level"),
        ({"release_types": "album"}, "release_types"),
        ({"favourite_genres": "rock"}, "favourite_genres"),
        ({"notes": None, "unknown": 1}, "unknown"),
    ],
)
async def test_long_fields_and_wrong_types_are_422s_naming_the_field_and_change_nothing(
    client: httpx.AsyncClient, bob: str, body: dict[str, object], field: str
) -> None:
    before = (await client.get("/api/settings/preferences")).json()

    answer = await client.put("/api/settings/preferences", json=body, headers={"X-CSRF-Token": bob})

    assert answer.status_code == 422, answer.text
    assert field in {error["field"] for error in answer.json()["errors"]}
    assert (await client.get("/api/settings/preferences")).json() == before


async def test_a_lone_surrogate_is_not_text_and_is_refused(
    client: httpx.AsyncClient, bob: str
) -> None:
    answer = await client.put(
        "/api/settings/preferences",
        content=b'{"notes": "half a pair: \\ud800"}',
        headers={"X-CSRF-Token": bob, "Content-Type": "application/json"},
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "notes"
    assert (await client.get("/api/settings/preferences")).json()["notes"] == ""


async def test_a_display_name_past_its_length_is_refused(
    client: httpx.AsyncClient, bob: str
) -> None:
    answer = await client.post(
        "/settings/profile", data={"display_name": "x" * 101, "csrf_token": bob}
    )

    assert answer.status_code == 400
    assert (await client.get("/api/auth/me")).json()["user"]["display_name"] == ""


async def test_json_that_does_not_parse_is_a_422_problem(
    client: httpx.AsyncClient, bob: str
) -> None:
    answer = await client.put(
        "/api/settings/preferences",
        content=b'{"notes": "unterminated',
        headers={"X-CSRF-Token": bob, "Content-Type": "application/json"},
    )

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("kind", ["sql", "script", "right_to_left"])
async def test_names_made_by_an_admin_are_stored_and_shown_escaped(
    app: FastAPI, client: httpx.AsyncClient, kind: str
) -> None:
    await make_user(app, "root", Role.ADMIN)
    csrf = await api_login(client, "root")
    value = NASTY[kind]

    await client.post(
        "/settings/users",
        data={
            "username": "carol",
            "display_name": value,
            "password": "a long enough password",
            "csrf_token": csrf,
        },
    )
    token = await client.post("/settings/profile/tokens", data={"name": value, "csrf_token": csrf})
    users = await client.get("/settings/users")
    profile = await client.get("/settings/profile")

    assert token.status_code == 200
    assert str(escape(value)) in users.text
    assert str(escape(value)) in profile.text
    if kind == "script":
        assert value not in users.text + profile.text
    async with app.state.db.sessionmaker() as db:
        carol = await db.scalar(select(User).where(User.username == "carol"))
    assert carol is not None
    assert carol.display_name == value


@pytest.mark.parametrize("kind", ["sql", "script", "emoji"])
async def test_a_rejection_reason_reaches_the_requester_verbatim_and_escaped(
    app: FastAPI, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient, kind: str
) -> None:
    await make_user(app, "root", Role.ADMIN)
    requester = await make_user(app, "bob")
    async with app.state.db.sessionmaker() as db:
        request = DownloadRequest(
            user_id=requester.id,
            kind="artist",
            target_key="artist:0383dadf-2a4e-4d10-a46a-e9e041da8eb3",
            artist_name="Someone",
            artist_mbid="0383dadf-2a4e-4d10-a46a-e9e041da8eb3",
            status=DownloadStatus.PENDING_APPROVAL,
        )
        db.add(request)
        await db.commit()
    csrf = await api_login(client, "root")
    value = NASTY[kind]

    rejected = await client.post(
        f"/api/downloads/{request.id}/reject",
        json={"reason": value},
        headers={"X-CSRF-Token": csrf},
    )
    await api_login(anonymous_client, "bob")
    seen = await anonymous_client.get(f"/api/downloads/{request.id}")
    page = await anonymous_client.get(f"/downloads/{request.id}")

    assert rejected.status_code == 200, rejected.text
    assert seen.json()["rejection_reason"] == value
    assert str(escape(value)) in page.text
    if kind == "script":
        assert value not in page.text
