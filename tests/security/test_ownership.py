"""A user who reaches for another user's rows gets a 404, enumerated from the route table.

Every route with a path parameter is classified here: it names a row one user owns
(then another user reading, changing or cancelling it through that route gets 404 and
the row stays as it was), something in Navidrome (which answers for its own users),
or something that belongs to nobody. A new route with a new kind of parameter fails
``test_every_path_parameter_is_classified`` until someone decides which it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tastemaker.auth import service as auth_service
from tastemaker.auth.models import User, UserSession
from tastemaker.downloads.models import DownloadRequest, DownloadStatus
from tastemaker.recommendations.models import Recommendation, RecommendationRun, RunStatus
from tests.conftest import api_login, make_user
from tests.security.routes import Route, app_routes

OWNED = {"token_id", "session_id", "run_id", "card_id", "download_id"}
IN_NAVIDROME = {"artist_id", "album_id", "song_id", "playlist_id", "cover_id", "item_id"}
NOBODYS = {"kind", "name", "action"}  # a kind of thing, a service, a verb
# Valid bodies, so that only the owner check can refuse.
BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("PATCH", "/api/recommendations/{card_id:int}"): {"json": {"state": "dismissed"}},
    ("POST", "/recommendations/{card_id:int}/feedback"): {"data": {"state": "dismissed"}},
}


def _parameters(route: Route) -> set[str]:
    return {name.split(":")[0] for name in re.findall(r"\{([^}]+)\}", route.path)}


def test_every_path_parameter_is_classified(app: FastAPI) -> None:
    unknown = {
        (route.method, route.path, name)
        for route in app_routes(app)
        if not route.requires_admin  # admins act on everyone's rows by design
        for name in _parameters(route) - OWNED - IN_NAVIDROME - NOBODYS
    }

    assert unknown == set(), "decide whether each names a row a user owns (OWNED) or not"


@dataclass
class Alices:
    """One of each thing a user owns, all Alice's."""

    user: User
    token: str
    token_id: int
    session_cookie: str
    session_id: int
    run_id: int
    card_id: int
    download_id: int

    def ids(self) -> dict[str, int]:
        return {
            "token_id": self.token_id,
            "session_id": self.session_id,
            "run_id": self.run_id,
            "card_id": self.card_id,
            "download_id": self.download_id,
        }


async def _alices_things(app: FastAPI, anonymous_client: httpx.AsyncClient) -> Alices:
    alice = await make_user(app, "alice")
    await api_login(anonymous_client, "alice")
    async with app.state.db.sessionmaker() as db:
        token, row = await auth_service.create_api_token(db, alice, "alices-script")
        session = await db.scalar(select(UserSession).where(UserSession.user_id == alice.id))
        assert session is not None
        run = RecommendationRun(
            user_id=alice.id, status=RunStatus.COMPLETED, model="llama3.2", filtered_reasons={}
        )
        db.add(run)
        await db.flush()
        card = Recommendation(
            run_id=run.id,
            user_id=alice.id,
            kind="artist",
            artist_name="Alice's Find",
            artist_mbid="0383dadf-2a4e-4d10-a46a-e9e041da8eb3",
            reason="Alice likes it",
        )
        download = DownloadRequest(
            user_id=alice.id,
            kind="artist",
            target_key="artist:0383dadf-2a4e-4d10-a46a-e9e041da8eb3",
            artist_name="Alice's Find",
            artist_mbid="0383dadf-2a4e-4d10-a46a-e9e041da8eb3",
            status=DownloadStatus.FAILED,
            error="Lidarr found no release",
        )
        db.add_all([card, download])
        await db.commit()
        return Alices(
            user=alice,
            token=token,
            token_id=row.id,
            session_cookie=anonymous_client.cookies["tastemaker_session"],
            session_id=session.id,
            run_id=run.id,
            card_id=card.id,
            download_id=download.id,
        )


def _path(route: Route, ids: dict[str, int]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        return str(ids[name]) if name in ids else "cancel"  # {action} on the downloads page

    return re.sub(r"\{([^}]+)\}", fill, route.path)


async def test_another_users_rows_are_not_found_through_any_route(
    app: FastAPI, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
) -> None:
    alices = await _alices_things(app, anonymous_client)
    await make_user(app, "bob")
    csrf = await api_login(client, "bob")
    routes = [r for r in app_routes(app) if _parameters(r) & OWNED and not r.requires_admin]

    for route in routes:
        response = await client.request(
            route.method,
            _path(route, alices.ids()),
            headers={"X-CSRF-Token": csrf},
            **BODIES.get((route.method, route.path), {}),  # type: ignore[arg-type]
        )
        if response.status_code == 303 and not route.is_api:  # a form: back, with a flash
            response = await client.get(response.headers["location"])
        assert response.status_code == 404, f"{route.method} {route.path}: {response.text[:200]}"
        if route.is_api:
            assert response.json()["code"].endswith("not_found")

    assert len(routes) >= 12
    # Alice's things are as they were.
    async with app.state.db.sessionmaker() as db:
        card = await db.get(Recommendation, alices.card_id)
        download = await db.get(DownloadRequest, alices.download_id)
    assert card is not None
    assert card.state == "new"
    assert download is not None
    assert download.status == DownloadStatus.FAILED
    mine = await anonymous_client.get("/api/auth/me")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as script:
        by_token = await script.get(
            "/api/auth/me", headers={"Authorization": f"Bearer {alices.token}"}
        )
    assert mine.json()["user"]["username"] == "alice", "Alice's session was not ended"
    assert by_token.json()["user"]["username"] == "alice", "Alice's token was not revoked"


async def test_lists_show_only_the_users_own_rows(
    app: FastAPI, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
) -> None:
    await _alices_things(app, anonymous_client)
    await make_user(app, "bob")
    await api_login(client, "bob")

    assert (await client.get("/api/downloads")).json()["total"] == 0
    assert (await client.get("/api/recommendations")).json()["total"] == 0
    assert (await client.get("/api/recommendations/runs")).json()["total"] == 0
    assert (await client.get("/api/downloads", params={"user_id": 1})).json()["total"] == 0
    profile = await client.get("/settings/profile")
    assert "alices-script" not in profile.text


async def test_preferences_are_each_users_own(
    app: FastAPI, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient
) -> None:
    alices = await _alices_things(app, anonymous_client)
    anonymous_client.headers["X-CSRF-Token"] = (await anonymous_client.get("/api/auth/me")).json()[
        "csrf_token"
    ]
    await anonymous_client.put("/api/settings/preferences", json={"notes": "Alice's notes"})
    await make_user(app, "bob")
    csrf = await api_login(client, "bob")

    changed = await client.put(
        "/api/settings/preferences", json={"notes": "Bob's"}, headers={"X-CSRF-Token": csrf}
    )

    assert changed.status_code == 200
    alice_sees = await anonymous_client.get("/api/settings/preferences")
    assert alice_sees.json()["notes"] == "Alice's notes"
    assert alices.user.username == "alice"
