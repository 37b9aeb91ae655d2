"""``/api/docs``: Swagger UI for the API, served from our own built assets (no CDN)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


@router.get("/api/docs")
async def api_docs(request: Request) -> HTMLResponse:
    assets = request.app.state.assets
    base_path = request.app.state.settings.base_path
    return get_swagger_ui_html(
        openapi_url=f"{base_path}/api/openapi.json",
        title="Tastemaker API",
        swagger_js_url=assets.url("swagger-ui-bundle.js"),
        swagger_css_url=assets.url("swagger-ui.css"),
        swagger_favicon_url=assets.url("favicon.svg"),
    )
