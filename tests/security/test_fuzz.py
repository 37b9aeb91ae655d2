"""Schemathesis over ``/api/openapi.json``: the app served on loopback with the simulators,
signed in as a plain user (API token), as an admin (API token) and as an admin in a
browser session (cookie + CSRF header), on SQLite and on PostgreSQL.

``make test`` runs a bounded pass (a few derandomized examples per operation, data that
fits the schema and data that does not); ``make test-slow`` runs a long random one.
Operations that reach an address the request gives (service connections, Lidarr's
webhook) run after the others, since they may change settings the others rely on,
and signing out runs last of all. See ``fuzzing.py`` for what each answer must be.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tastemaker.simulators import catalogue
from tests.security.fuzzing import Fuzzer, Identity, Operation, Tally
from tests.security.served import World, served_world
from tests.servers.databases import DatabaseKind

# They reach the address in the request: a 502/503 naming the service is their answer
# when nothing (or the wrong thing) listens there.
REACHING_OUT = frozenset(
    {
        "PUT /api/settings/services",
        "POST /api/settings/services/{name}/test",
        "POST /api/downloads/webhook",
    }
)
LAST = frozenset({"POST /api/auth/logout"})
# Rules across fields, which JSON Schema cannot state: here schema-valid data may be
# refused (each with its 422 naming the fields).
ACROSS_FIELDS: dict[str, set[CheckFunction]] = {
    # A name cannot be both a favourite and excluded.
    "PUT /api/settings/preferences": {positive_data_acceptance},
}
BOUNDED_EXAMPLES = 3
LONG_EXAMPLES = 25


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    kind: DatabaseKind = request.param
    with served_world(kind, tmp_path_factory.mktemp(f"fuzz-{kind}")) as served:
        served.extra["tally"] = Tally()
        served.extra["known"] = _rows_to_aim_at(served)
        yield served
        tally: Tally = served.extra["tally"]
        print(f"\nfuzzing on {kind}: {tally.summary()}")


def _rows_to_aim_at(world: World) -> dict[str, dict[str, list[Any]]]:
    """Ids of real rows, per path prefix, so generated requests reach more than 404s."""
    http = httpx.Client(base_url=world.url, headers=world.bearer(world.user_token), timeout=30)
    artists = http.get("/api/library/artists", params={"limit": 2}).json()["items"]
    albums = http.get("/api/library/albums", params={"limit": 2}).json()["items"]
    songs = http.get("/api/library/songs", params={"limit": 2}).json()["items"]
    playlists = http.get("/api/library/playlists").json()["items"]
    wanted = catalogue.catalogue()[-1].albums[0]
    download = http.post(
        "/api/downloads", json={"artist_mbid": wanted.artist_mbid, "album_mbid": wanted.mbid}
    ).json()
    run = http.post("/api/recommendations/runs").json()
    deadline = time.monotonic() + 60
    while http.get(f"/api/recommendations/runs/{run['id']}").json()["status"] == "running":
        assert time.monotonic() < deadline, "the recommendation run never finished"
        time.sleep(0.2)
    cards = http.get("/api/recommendations").json()["items"]
    return {
        "/api/library/": {
            "artist_id": [a["id"] for a in artists],
            "album_id": [a["id"] for a in albums],
            "song_id": [s["id"] for s in songs],
            "cover_id": [a["cover_art"] for a in albums if a.get("cover_art")],
            "playlist_id": [p["id"] for p in playlists[:2]],
            "kind": ["songs", "albums"],
            "item_id": [songs[0]["id"], albums[0]["id"]],
        },
        "/api/downloads/": {"download_id": [download["id"]]},
        "/api/recommendations/": {"run_id": [run["id"]], "card_id": [c["id"] for c in cards[:2]]},
    }


@pytest.fixture(scope="module")
def operations(world: World) -> list[Operation]:
    schema = schemathesis.openapi.from_url(world.url + "/api/openapi.json")
    # Text is valid Unicode without NUL (the document says so once; test_bad_input.py),
    # and each identity brings its own credentials: none are generated.
    schema.config.generation.update(allow_x00=False, codec="utf-8", with_security_parameters=False)
    return [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]


def _fuzzer(world: World, examples: int = BOUNDED_EXAMPLES, at_length: bool = False) -> Fuzzer:
    return Fuzzer(
        base_url=world.url,
        tally=world.extra["tally"],
        known=world.extra["known"],
        reaches_out=REACHING_OUT,
        relaxed=ACROSS_FIELDS,
        max_examples=examples,
        derandomize=not at_length,  # the bounded run is the same every time
        shrink=at_length,
    )


def _identities(world: World) -> list[Identity]:
    cookie, csrf = world.sign_in("root")
    return [
        Identity("a user (token)", world.bearer(world.user_token)),
        Identity("an admin (token)", world.bearer(world.admin_token)),
        Identity(
            "an admin (cookie)",
            {"Cookie": f"tastemaker_session={cookie}", "X-CSRF-Token": csrf},
            bearer=False,
        ),
    ]


def _select(operations: list[Operation], labels: frozenset[str], *, inside: bool) -> list[Any]:
    return [op for op in operations if (op.label in labels) == inside]


def _assert_clean(failures: list[str]) -> None:
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)


def test_every_operation_answers_as_documented(world: World, operations: list[Operation]) -> None:
    fuzzer = _fuzzer(world)
    everyday = _select(operations, REACHING_OUT | LAST, inside=False)
    failures: list[str] = []
    for identity in _identities(world):
        failures += fuzzer.run(everyday, identity)
    _assert_clean(failures)


@pytest.mark.slow
def test_every_operation_answers_as_documented_at_length(
    world: World, operations: list[Operation]
) -> None:
    fuzzer = _fuzzer(world, LONG_EXAMPLES, at_length=True)
    everyday = _select(operations, REACHING_OUT | LAST, inside=False)
    failures: list[str] = []
    for identity in _identities(world):
        failures += fuzzer.run(everyday, identity)
    _assert_clean(failures)


def test_service_connections_and_the_webhook_answer_as_documented(
    world: World, operations: list[Operation]
) -> None:
    fuzzer = _fuzzer(world)
    reaching_out = _select(operations, REACHING_OUT, inside=True)
    failures: list[str] = []
    for identity in _identities(world):
        failures += fuzzer.run(reaching_out, identity)
    _assert_clean(failures)
    assert len(reaching_out) == len(REACHING_OUT), "an operation was renamed: update the list"


def test_signing_out_answers_as_documented(world: World, operations: list[Operation]) -> None:
    fuzzer = _fuzzer(world)
    last = _select(operations, LAST, inside=True)
    failures: list[str] = []
    for identity in _identities(world):
        failures += fuzzer.run(last, identity)
    _assert_clean(failures)


def test_the_fuzzer_reached_every_operation_and_found_no_server_error(
    world: World, operations: list[Operation]
) -> None:
    tally: Tally = world.extra["tally"]

    assert tally.operations == {op.label for op in operations}
    assert tally.requests >= len(operations) * BOUNDED_EXAMPLES * 3
    assert tally.statuses[500] == 0
    assert 200 in tally.statuses
    assert 422 in tally.statuses
