"""Settings → Preferences: the API with validation, and the page with library suggestions."""

from __future__ import annotations

import httpx

from tastemaker.auth.models import User
from tastemaker.simulators.catalogue import GENRES


async def test_preferences_start_with_defaults_and_change_field_by_field(
    stack_client: httpx.AsyncClient, listener: User
) -> None:
    defaults = (await stack_client.get("/api/settings/preferences")).json()
    assert defaults["recommendation_count"] == 10
    assert defaults["refresh_schedule"] == "off"

    changed = await stack_client.put(
        "/api/settings/preferences",
        json={
            "favourite_genres": ["Jazz", "jazz", "Soul"],
            "discovery_level": 80,
            "release_types": ["live", "album"],
            "notes": "no Christmas music",
            "refresh_schedule": "weekly",
        },
    )

    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["favourite_genres"] == ["Jazz", "Soul"]
    assert body["release_types"] == ["album", "live"]
    assert body["recommendation_count"] == 10  # left out, kept
    assert (await stack_client.get("/api/settings/preferences")).json() == body


async def test_invalid_preferences_are_a_problem_with_the_failing_fields(
    stack_client: httpx.AsyncClient, listener: User
) -> None:
    answer = await stack_client.put(
        "/api/settings/preferences",
        json={"recommendation_count": 0, "refresh_schedule": "hourly", "release_types": []},
    )

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    fields = {error["field"] for error in answer.json()["errors"]}
    assert {"recommendation_count", "refresh_schedule", "release_types"} <= fields


async def test_an_artist_cannot_be_both_favourite_and_excluded(
    stack_client: httpx.AsyncClient, listener: User
) -> None:
    answer = await stack_client.put(
        "/api/settings/preferences",
        json={"favourite_artists": ["Ada Moreau"], "excluded_artists": ["ada moreau"]},
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "excluded_artists"


async def test_the_page_suggests_genres_and_artists_from_the_library_and_saves(
    stack_client: httpx.AsyncClient, listener: User
) -> None:
    page = await stack_client.get("/settings/preferences")
    assert page.status_code == 200
    suggested = (await stack_client.get("/api/settings/preferences/suggestions")).json()
    assert suggested["available"]
    assert set(suggested["genres"]) <= set(GENRES)
    assert suggested["artists"]
    for name in suggested["genres"][:3] + suggested["artists"][:3]:
        assert f'value="{name}"' in page.text

    saved = await stack_client.post(
        "/settings/preferences",
        data={
            "favourite_genres": [suggested["genres"][0], "Bossa Nova, Tropicália"],
            "excluded_genres": "",
            "favourite_artists": suggested["artists"][0],
            "excluded_artists": "",
            "discovery_level": "30",
            "recommendation_count": "12",
            "recommendation_kinds": "albums",
            "release_types": ["album", "ep"],
            "notes": "more 70s jazz",
            "refresh_schedule": "daily",
        },
    )

    assert saved.status_code == 200
    assert "Preferences saved" in saved.text
    stored = (await stack_client.get("/api/settings/preferences")).json()
    assert stored["favourite_genres"] == [suggested["genres"][0], "Bossa Nova", "Tropicália"]
    assert stored["recommendation_count"] == 12
    assert stored["recommendation_kinds"] == "albums"
    assert stored["refresh_schedule"] == "daily"


async def test_the_page_shows_errors_next_to_the_fields(
    stack_client: httpx.AsyncClient, listener: User
) -> None:
    answer = await stack_client.post(
        "/settings/preferences",
        data={
            "recommendation_count": "99",
            "recommendation_kinds": "both",
            "refresh_schedule": "off",
            "discovery_level": "50",
        },
    )

    assert answer.status_code == 422
    assert "Please check the form" in answer.text
    assert 'id="field-recommendation_count-error"' in answer.text
