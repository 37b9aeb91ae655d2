"""The dashboard and the top-level sections until their features fill them in."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tastemaker.auth.deps import CurrentUser
from tastemaker.web import pages

router = APIRouter(include_in_schema=False)


@router.get("/")
async def dashboard(request: Request, user: CurrentUser) -> Response:
    settings = request.app.state.settings
    services = {
        "Navidrome": bool(settings.navidrome_url),
        "Lidarr": bool(settings.lidarr_url),
        "Ollama": bool(settings.ollama_url),
    }
    return pages(request).render(
        request, "dashboard/index.html", {"services": services}, nav="dashboard"
    )
