"""No secret in any answer, page, header, error or log line, over a whole session.

The app is served on loopback with distinctive secrets: the Lidarr API key, the
Navidrome password (sent with every call: password auth, the worst case on the
wire), users' passwords, API tokens, session cookies, Lidarr's webhook secret, a
wrong password and a wrong API key typed in. Then two people use everything: every
page and every API read in the route table, a recommendation run, a download, the
service settings, a webhook, sign-ins that fail, a password change, tokens made and
revoked, and Navidrome and Lidarr failing in the middle. The app's log is kept at
DEBUG (what an admin debugging would switch on). Every answer (body and headers, but
the ``Set-Cookie`` that hands a browser its own session) and every log line is then
searched for each secret, raw and in the encodings it could take on the way out.

On SQLite only: where secrets could leak does not depend on the database.
"""

from __future__ import annotations

import base64
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest

from tastemaker.downloads import config as download_config
from tastemaker.simulators import catalogue
from tests.conftest import PASSWORD
from tests.security.routes import app_routes
from tests.security.served import World, in_thread, served_world
from tests.servers.stack import LIDARR_KEY, NAVIDROME_PASSWORD

NEW_PASSWORD = "a-brand-new-password-7f3a9c"
WRONG_PASSWORD = "a-wrong-password-typed-4b2e8d"
WRONG_API_KEY = "a-wrong-lidarr-key-9d1c6e"
COOKIE = "tastemaker_session"


def encodings(secret: str) -> set[str]:
    """The secret as it could appear: raw, URL-encoded, hex (Subsonic's ``enc:``), base64."""
    raw = secret.encode()
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        raw.hex(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }


@dataclass
class Recorder:
    """Every answer the app gave, as text to search."""

    answers: list[tuple[str, str]] = field(default_factory=list)  # (what, text)
    cookies: list[str] = field(default_factory=list)  # every Set-Cookie seen
    exempt: set[int] = field(default_factory=set)  # answers meant to show a secret once

    def record(self, response: httpx.Response) -> None:
        response.read()
        headers = "\n".join(
            f"{name}: {value}"
            for name, value in response.headers.multi_items()
            if name.lower() != "set-cookie"
        )
        self.cookies += response.headers.get_list("set-cookie")
        what = f"{response.request.method} {response.request.url} → {response.status_code}"
        self.answers.append((what, headers + "\n\n" + response.text))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served_world(
        "sqlite",
        tmp_path_factory.mktemp("secrets"),
        log_level=logging.DEBUG,
        navidrome_auth="password",
    ) as served:
        yield served


class Person:
    def __init__(self, world: World, recorder: Recorder, username: str) -> None:
        self.http = httpx.Client(
            base_url=world.url,
            timeout=30,
            event_hooks={"response": [recorder.record]},
        )
        self.recorder = recorder
        self.username = username
        self.csrf = ""

    def sign_in(self, password: str = PASSWORD) -> httpx.Response:
        answer = self.http.post(
            "/api/auth/login", json={"username": self.username, "password": password}
        )
        if answer.status_code == 200:
            self.csrf = answer.json()["csrf_token"]
            self.http.headers["X-CSRF-Token"] = self.csrf
        return answer

    def form(self, path: str, **fields: str) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.csrf, **fields})


def _every_page_and_read(person: Person, world: World) -> None:
    from tastemaker.app import create_app

    for route in app_routes(create_app(world.settings)):
        if route.method == "GET" and "{" not in route.path:
            person.http.get(route.path)


def _wait_for_run(person: Person, run_id: int) -> None:
    deadline = time.monotonic() + 60
    while person.http.get(f"/api/recommendations/runs/{run_id}").json()["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)


def _use_everything(world: World, recorder: Recorder) -> dict[str, str]:
    """A whole session of two people; returns the secrets it made along the way."""
    made: dict[str, str] = {}
    root, bob = Person(world, recorder, "root"), Person(world, recorder, "bob")
    bob.sign_in(WRONG_PASSWORD)  # a failed sign-in, logged
    root.sign_in()
    bob.sign_in()
    made["root's session"] = root.http.cookies[COOKIE]
    made["bob's session"] = bob.http.cookies[COOKIE]

    # A token made on the profile page: shown once, on that answer only.
    created = bob.form("/settings/profile/tokens", name="backup")
    recorder.exempt.add(len(recorder.answers) - 1)
    token = re.search(r'data-testid="new-token">(tm_[A-Za-z0-9_-]+)<', created.text)
    assert token, "the new token is shown once"
    made["bob's page token"] = token.group(1)
    scripted = httpx.Client(
        base_url=world.url,
        headers=world.bearer(token.group(1)),
        event_hooks={"response": [recorder.record]},
    )

    for person in (root, bob):
        _every_page_and_read(person, world)
    scripted.get("/api/auth/me")
    scripted.get("/api/downloads")

    # The library, a recommendation run, a download: pages and API.
    albums = bob.http.get("/api/library/albums", params={"limit": 3}).json()["items"]
    artists = bob.http.get("/api/library/artists", params={"limit": 3}).json()["items"]
    songs = bob.http.get("/api/library/songs", params={"limit": 2}).json()["items"]
    bob.http.get(f"/library/albums/{albums[0]['id']}")
    bob.http.get(f"/library/artists/{artists[0]['id']}")
    bob.http.get(f"/api/library/songs/{songs[0]['id']}/stream", headers={"Range": "bytes=0-99"})
    bob.http.get(f"/api/library/cover/{albums[0]['cover_art']}")
    bob.http.put(f"/api/library/songs/{songs[0]['id']}/star")
    run = bob.http.post("/api/recommendations/runs").json()
    _wait_for_run(bob, run["id"])
    bob.http.get("/recommendations")
    cards = bob.http.get("/api/recommendations").json()["items"]
    if cards:
        bob.http.get(f"/recommendations/{cards[0]['id']}")
        bob.http.patch(f"/api/recommendations/{cards[0]['id']}", json={"state": "liked"})
    wanted = catalogue.catalogue()[-2].albums[0]
    download = bob.http.post(
        "/api/downloads", json={"artist_mbid": wanted.artist_mbid, "album_mbid": wanted.mbid}
    ).json()
    bob.http.get(f"/downloads/{download['id']}")
    bob.http.get("/downloads/new", params={"q": wanted.artist_name})

    # Service settings: read, tested, saved with a wrong key, a page save that fails.
    root.http.get("/api/settings/services")
    root.http.get("/settings/services")
    root.http.post("/api/settings/services/lidarr/test")
    root.http.post("/api/settings/services/navidrome/test")
    root.http.post(
        "/api/settings/services/lidarr/test", json={"values": {"api_key": WRONG_API_KEY}}
    )
    root.form("/settings/services/lidarr", api_key=WRONG_API_KEY, action="save")

    # Lidarr's webhook: registered (a new shared secret), then called without it.
    root.http.post("/api/downloads/webhook", json={"url": world.url + "/api/webhooks/lidarr"})
    made["webhook secret"] = in_thread(_webhook_secret(world))
    bob.http.post("/api/webhooks/lidarr", json={"eventType": "Test"})
    bob.http.post("/api/webhooks/lidarr?secret=wrong", json={"eventType": "Test"})

    # Navidrome and Lidarr failing while people browse.
    for service, faults in (
        (world.sims.navidrome_url, {"status_code": 500}),
        (world.sims.navidrome_url, {"garbage": "truncated"}),
        (world.sims.lidarr_url, {"status_code": 500}),
        (world.sims.lidarr_url, {"disconnect": True}),
    ):
        httpx.put(service + "/_sim/faults", json=faults)
        bob.http.get("/api/library/albums", params={"order": "random"})
        bob.http.get("/library/albums?order=newest")
        bob.http.get("/downloads/new", params={"q": "Ghost"})
        root.http.post("/api/settings/services/lidarr/test")
        root.http.get("/")
        httpx.delete(service + "/_sim/faults")

    # A password change (wrong, then right), tokens revoked, sign-outs.
    bob.form(
        "/settings/profile/password",
        current_password=WRONG_PASSWORD,
        new_password=NEW_PASSWORD,
        new_password_confirm=NEW_PASSWORD,
    )
    bob.form(
        "/settings/profile/password",
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
        new_password_confirm=NEW_PASSWORD,
    )
    profile = bob.http.get("/settings/profile")
    for token_id in re.findall(r"/settings/profile/tokens/(\d+)/revoke", profile.text):
        bob.form(f"/settings/profile/tokens/{token_id}/revoke")
    scripted.get("/api/auth/me")  # revoked now
    root.http.post("/api/auth/logout")
    root.http.get("/api/auth/me")
    return made


async def _webhook_secret(world: World) -> str:
    from tastemaker.db import Database
    from tastemaker.encryption import SecretBox

    database = Database(world.settings.resolved_database_url)
    try:
        async with database.sessionmaker() as session:
            box = SecretBox(world.settings.resolved_secret_key)
            secret = (await download_config.load(session, box)).webhook_secret
    finally:
        await database.dispose()
    assert secret, "the webhook was registered"
    return secret


def _leaks(texts: list[tuple[str, str]], secrets: dict[str, str]) -> list[str]:
    found = []
    for what, text in texts:
        for name, secret in secrets.items():
            if any(form in text for form in encodings(secret)):
                found.append(f"{name} in {what}")
    return found


def test_no_secret_leaks_into_answers_pages_errors_or_logs(world: World) -> None:
    recorder = Recorder()
    made = _use_everything(world, recorder)
    secrets: dict[str, Any] = {
        "Lidarr's API key": LIDARR_KEY,
        "Navidrome's password": NAVIDROME_PASSWORD,
        "the app's secret key": world.settings.resolved_secret_key,
        "a user's password": PASSWORD,
        "a new password": NEW_PASSWORD,
        "a wrong password typed in": WRONG_PASSWORD,
        "a wrong API key typed in": WRONG_API_KEY,
        "the admin's API token": world.admin_token,
        "the user's API token": world.user_token,
        **made,
    }
    answers = [a for i, a in enumerate(recorder.answers) if i not in recorder.exempt]
    log = [(f"log line {i}", line) for i, line in enumerate(world.log.lines)]

    leaks = _leaks(answers, secrets) + _leaks(log, secrets)

    assert leaks == [], "\n".join(leaks[:30])
    shown_once = [recorder.answers[i] for i in recorder.exempt]
    assert _leaks(shown_once, {"token": made["bob's page token"]}), "the search finds a secret"
    assert len(recorder.answers) > 120, "the session went through the whole app"
    assert len(world.log.lines) > 100, "the DEBUG log was kept"
    assert any("Lidarr" in line for line in world.log.lines), "the failures were logged"


def test_every_cookie_is_http_only_and_same_site(world: World) -> None:
    recorder = Recorder()
    person = Person(world, recorder, "bob")
    person.http.get("/login")
    person.sign_in()
    person.form("/settings/theme", theme="dark")
    person.http.post("/api/auth/logout")

    assert recorder.cookies
    for cookie in recorder.cookies:
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "samesite"} <= attributes, cookie
        assert "samesite=lax" in cookie.lower() or "samesite=strict" in cookie.lower(), cookie
