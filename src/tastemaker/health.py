"""``GET /api/health``: is the app up, and can it reach its database."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tastemaker import __version__

api = APIRouter(prefix="/api", tags=["health"])


class ComponentHealth(BaseModel):
    status: Literal["ok", "degraded", "down"]
    detail: str = ""


class HealthOut(BaseModel):
    status: Literal["ok", "degraded", "down"]
    version: str
    components: dict[str, ComponentHealth]


@api.get("/health", summary="The app and each service: ok, degraded or down, with a reason")
async def health(request: Request) -> HealthOut:
    components: dict[str, ComponentHealth] = {}
    try:
        async with request.app.state.db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        components["database"] = ComponentHealth(status="ok")
    except (SQLAlchemyError, OSError) as exc:
        components["database"] = ComponentHealth(status="down", detail=str(exc))
    worst = "down" if any(c.status == "down" for c in components.values()) else "ok"
    return HealthOut(status=worst, version=__version__, components=components)
