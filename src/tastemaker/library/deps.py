"""``library: Library`` in a route: the signed-in user's view of Navidrome, cached."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from tastemaker.auth.deps import CurrentUser
from tastemaker.library.cache import LibraryCache
from tastemaker.library.service import LibraryService
from tastemaker.services.deps import Services


def library_cache(app: FastAPI) -> LibraryCache:
    """The app's listing cache (``create_app`` puts one on ``app.state``)."""
    cache: LibraryCache | None = getattr(app.state, "library_cache", None)
    if cache is None:
        cache = app.state.library_cache = LibraryCache()
    return cache


def invalidate_library_cache(app: FastAPI) -> None:
    """Call after a library scan (e.g. once Lidarr imported an album)."""
    library_cache(app).invalidate()


async def library_service(request: Request, user: CurrentUser, hub: Services) -> LibraryService:
    return LibraryService(await hub.navidrome(user), library_cache(request.app), user.id)


Library = Annotated[LibraryService, Depends(library_service)]
