"""Settings → Preferences: the API and the page, sharing ``service.py``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from tastemaker.auth.deps import CurrentUser, DbSession
from tastemaker.errors import AppError, InvalidInput
from tastemaker.playlists import discoveries
from tastemaker.services.deps import Services
from tastemaker.web import pages

from . import service
from .schemas import RELEASE_TYPE_LABELS, PreferencesIn, PreferencesOut, Suggestions

api = APIRouter(prefix="/api/settings/preferences", tags=["settings"])
router = APIRouter(include_in_schema=False)
PROBLEM: dict[int | str, dict[str, Any]] = {
    status: {"content": {"application/problem+json": {}}} for status in (401, 403, 422)
}
SUGGESTED = 16
LIST_FIELDS = ("favourite_genres", "excluded_genres", "favourite_artists", "excluded_artists")


async def suggestions(request: Request, user: CurrentUser, hub: Services) -> Suggestions:
    """Genres and artists from the user's library (through the recommender's cached profile)."""
    try:
        navidrome = await hub.navidrome(user)
        profile = await request.app.state.recommendations.profiles.get(user.id, navidrome)
    except AppError as error:
        return Suggestions(genres=[], artists=[], available=False, problem=error.detail)
    genres = [name for name, _ in profile.genres]
    artists = [name for name, _ in profile.top_artists] + profile.starred_artists
    return Suggestions(
        genres=list(dict.fromkeys(genres))[:SUGGESTED],
        artists=list(dict.fromkeys(artists))[:SUGGESTED],
        available=True,
    )


@api.get("", responses=PROBLEM, summary="Your recommendation preferences")
async def get_preferences(user: CurrentUser, db: DbSession) -> PreferencesOut:
    return PreferencesOut.model_validate(await service.get_preferences(db, user.id))


@api.put(
    "", responses=PROBLEM, summary="Change your preferences (fields left out keep their value)"
)
async def put_preferences(
    body: PreferencesIn, request: Request, user: CurrentUser, db: DbSession, hub: Services
) -> PreferencesOut:
    before = (await service.get_preferences(db, user.id)).discoveries_playlist_name
    prefs = await service.update_preferences(db, user.id, body)
    await _renamed(db, hub, user, before, prefs.discoveries_playlist_name)
    return PreferencesOut.model_validate(prefs)


async def _renamed(db: DbSession, hub: Services, user: CurrentUser, before: str, now: str) -> None:
    """A new name for the discoveries playlist reaches Navidrome now (best effort)."""
    if now != before:
        await discoveries.apply_name(db, hub, user, now)


@api.get("/suggestions", responses=PROBLEM, summary="Genres and artists from your library")
async def get_suggestions(request: Request, user: CurrentUser, hub: Services) -> Suggestions:
    return await suggestions(request, user, hub)


# --- page ---------------------------------------------------------------------------


def _split(values: list[str]) -> list[str]:
    """Checkbox values plus the comma-separated "others" field, in order, without blanks."""
    names: list[str] = []
    for value in values:
        names += [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]
    return list(dict.fromkeys(names))


def _number(value: Any) -> Any:
    """A form's digits as the number the API takes; anything else as given, to be refused."""
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else value


def _form_changes(form: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {key: _split(form.getlist(key)) for key in LIST_FIELDS}
    changes["release_types"] = form.getlist("release_types")
    for key in ("discovery_level", "recommendation_count"):
        changes[key] = _number(form.get(key)) or None
    for key in ("recommendation_kinds", "notes", "refresh_schedule", "stream_format"):
        changes[key] = form.get(key, "")
    changes["stream_max_bitrate"] = _number(form.get("stream_max_bitrate")) or 0
    # An unchecked box sends nothing: the form always shows it, so absent means off.
    changes["discoveries_playlist"] = form.get("discoveries_playlist") == "on"
    changes["discoveries_playlist_name"] = form.get("discoveries_playlist_name")
    return changes


async def _render(
    request: Request,
    user: CurrentUser,
    hub: Services,
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "saved": saved,
        "suggestions": await suggestions(request, user, hub),
        "release_type_labels": RELEASE_TYPE_LABELS,
    }
    return pages(request).render(
        request, "preferences/page.html", context, nav="settings", status_code=status_code
    )


@router.get("/settings/preferences")
async def preferences_page(
    request: Request, user: CurrentUser, db: DbSession, hub: Services
) -> Response:
    prefs = PreferencesOut.model_validate(await service.get_preferences(db, user.id))
    return await _render(request, user, hub, prefs.model_dump())


@router.post("/settings/preferences")
async def preferences_save(
    request: Request, user: CurrentUser, db: DbSession, hub: Services
) -> Response:
    changes = _form_changes(await request.form())
    try:
        body = PreferencesIn.model_validate(changes)
        before = (await service.get_preferences(db, user.id)).discoveries_playlist_name
        prefs = await service.update_preferences(db, user.id, body)
        await _renamed(db, hub, user, before, prefs.discoveries_playlist_name)
    except ValidationError as error:
        errors = {str(e["loc"][0]): e["msg"] for e in error.errors()}
        return await _render(request, user, hub, changes, errors=errors, status_code=422)
    except InvalidInput as error:
        errors = {str(e["field"]): str(e["message"]) for e in error.extra.get("errors", [])}
        return await _render(request, user, hub, changes, errors=errors, status_code=422)
    return await _render(
        request, user, hub, PreferencesOut.model_validate(prefs).model_dump(), saved=True
    )
