"""The dashboard: the library's rows (recently added, played, most played, starred),
"continue listening", and counts of the user's requests and recommendations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from tastemaker.auth.deps import CurrentUser, DbSession
from tastemaker.dashboard import service
from tastemaker.errors import ServiceError
from tastemaker.library.deps import library_cache
from tastemaker.library.service import LibraryService
from tastemaker.services.definitions import SERVICES
from tastemaker.services.deps import Services
from tastemaker.web import pages

router = APIRouter(include_in_schema=False)


@router.get("/")
async def dashboard(request: Request, user: CurrentUser, hub: Services, db: DbSession) -> Response:
    services = {
        definition.title: await hub.configured(key)
        for key, definition in SERVICES.items()
        if not definition.optional
    }
    context: dict[str, Any] = {
        "services": services,
        "activity": await service.activity(db, user),
        "rows": None,
        "library_error": None,
    }
    if services.get("Navidrome"):
        try:
            client = await hub.navidrome(user)
            library = LibraryService(client, library_cache(request.app), user.id)
            context["rows"] = await library.dashboard()
        except ServiceError as error:
            context["library_error"] = error
    return pages(request).render(request, "dashboard/index.html", context, nav="dashboard")
