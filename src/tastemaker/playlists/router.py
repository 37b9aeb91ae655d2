"""Clearing the discoveries playlist: an API route and the playlists page's form.

The playlist itself is listed and opened with the other playlists
(``/api/library/playlists``, ``/library/playlists``); only emptying it is its own
action. It empties the playlist in Navidrome (the playlist stays, so apps that
pinned it keep it) as the user's own Navidrome identity.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from tastemaker.auth.deps import CurrentUser, DbSession
from tastemaker.errors import ServiceError
from tastemaker.playlists import discoveries
from tastemaker.playlists.schemas import DiscoveriesCleared
from tastemaker.services.deps import Services
from tastemaker.web import pages

api = APIRouter(prefix="/api/library/playlists", tags=["library"])
router = APIRouter(include_in_schema=False)
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in", "content": {"application/problem+json": {}}},
    403: {"description": "CSRF token missing", "content": {"application/problem+json": {}}},
    502: {
        "description": "Navidrome failed or rejected the credentials",
        "content": {"application/problem+json": {}},
    },
    503: {
        "description": "Navidrome is unreachable or not configured",
        "content": {"application/problem+json": {}},
    },
}


@api.post("/discoveries/clear", responses=PROBLEMS, summary="Empty your discoveries playlist")
async def clear_discoveries(user: CurrentUser, db: DbSession, hub: Services) -> DiscoveriesCleared:
    """Take every song out of the playlist Tastemaker fills with your requests.

    New requests keep adding to it. Without a playlist yet, nothing happens.
    """
    navidrome = await hub.navidrome(user)
    playlist_id = await discoveries.stored_id(db, navidrome, user.id)
    removed = await discoveries.clear(db, navidrome, user.id)
    return DiscoveriesCleared(playlist_id=playlist_id, removed=removed)


@router.post("/library/playlists/discoveries/clear")
async def clear_discoveries_page(
    request: Request, user: CurrentUser, db: DbSession, hub: Services
) -> Response:
    try:
        navidrome = await hub.navidrome(user)
        playlist_id = await discoveries.stored_id(db, navidrome, user.id)
        removed = await discoveries.clear(db, navidrome, user.id)
    except ServiceError as error:
        return pages(request).redirect(
            request, "/library/playlists", flash=("error", f"Not cleared: {error.detail}")
        )
    target = f"/library/playlists/{playlist_id}" if playlist_id else "/library/playlists"
    message = f"Cleared: {removed} song{'' if removed == 1 else 's'} taken out"
    return pages(request).redirect(request, target, flash=("success", message))
