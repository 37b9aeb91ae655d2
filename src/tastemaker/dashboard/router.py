"""The dashboard and the top-level sections until their features fill them in."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tastemaker.auth.deps import CurrentUser
from tastemaker.services.definitions import SERVICES
from tastemaker.services.deps import Services
from tastemaker.web import pages

router = APIRouter(include_in_schema=False)


@router.get("/")
async def dashboard(request: Request, user: CurrentUser, hub: Services) -> Response:
    services = {definition.title: await hub.configured(key) for key, definition in SERVICES.items()}
    return pages(request).render(
        request, "dashboard/index.html", {"services": services}, nav="dashboard"
    )
