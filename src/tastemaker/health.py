"""``GET /api/health``: the app, its database and each service: ok, degraded or down."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tastemaker import __version__
from tastemaker.services.deps import Services

api = APIRouter(prefix="/api", tags=["health"])
Status = Literal["ok", "degraded", "down"]


class ComponentHealth(BaseModel):
    status: Status
    detail: str = ""
    version: str | None = None
    latency_ms: int | None = None


class HealthOut(BaseModel):
    status: Status
    version: str
    components: dict[str, ComponentHealth]


@api.get("/health", summary="The app and each service: ok, degraded or down, with a reason")
async def health(request: Request, services: Services) -> HealthOut:
    components: dict[str, ComponentHealth] = {}
    try:
        async with request.app.state.db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        components["database"] = ComponentHealth(status="ok")
    except (SQLAlchemyError, OSError) as exc:
        components["database"] = ComponentHealth(status="down", detail=type(exc).__name__)
        return HealthOut(status="down", version=__version__, components=components)
    for key, result in (await services.check_all()).items():
        components[key] = ComponentHealth(
            status=result.status,
            detail=result.detail,
            version=result.version,
            latency_ms=result.latency_ms,
        )
    ok = all(c.status == "ok" for c in components.values())
    return HealthOut(status="ok" if ok else "degraded", version=__version__, components=components)
