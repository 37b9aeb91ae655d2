"""Reading and changing a user's preferences (one ``user_preferences`` row per user)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tastemaker.errors import InvalidInput

from .models import UserPreferences
from .schemas import PreferencesIn


async def get_preferences(db: AsyncSession, user_id: int) -> UserPreferences:
    """The user's preferences, created with the defaults on first use."""
    prefs = await db.get(UserPreferences, user_id)
    if prefs is None:
        prefs = UserPreferences(
            user_id=user_id,
            favourite_genres=[],
            excluded_genres=[],
            favourite_artists=[],
            excluded_artists=[],
            release_types=["album", "ep"],
            extra={},
        )
        db.add(prefs)
        await db.flush()
    return prefs


def _conflicts(values: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    for kind in ("genres", "artists"):
        liked = {name.casefold() for name in values[f"favourite_{kind}"]}
        both = [name for name in values[f"excluded_{kind}"] if name.casefold() in liked]
        if both:
            errors.append(
                {
                    "field": f"excluded_{kind}",
                    "location": "body",
                    "message": f"{', '.join(both)} cannot be both a favourite and excluded",
                }
            )
    return errors


async def update_preferences(
    db: AsyncSession, user_id: int, changes: PreferencesIn
) -> UserPreferences:
    prefs = await get_preferences(db, user_id)
    given = changes.model_dump(exclude_none=True)
    merged = {
        key: given.get(key, getattr(prefs, key))
        for key in ("favourite_genres", "excluded_genres", "favourite_artists", "excluded_artists")
    }
    errors = _conflicts(merged)
    if errors:
        raise InvalidInput("; ".join(e["message"] for e in errors), errors=errors)
    for key, value in given.items():
        setattr(prefs, key, value)
    await db.commit()
    await db.refresh(prefs)
    return prefs
