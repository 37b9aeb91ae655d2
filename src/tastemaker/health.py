"""``GET /api/health``: the app, its database and each service: ok, degraded or down."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tastemaker import __version__
from tastemaker.errors import AppError, ServiceNotConfigured
from tastemaker.services import config as service_config
from tastemaker.services.connections import check_connection
from tastemaker.services.definitions import SERVICES, ServiceKey

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


async def service_health(state: Any, key: ServiceKey) -> ComponentHealth:
    """One service's health; ``state`` holds ``db``, ``settings``, ``secret_box``, ``http``."""
    try:
        async with state.db.sessionmaker() as session:
            config = await service_config.load(session, state.settings, state.secret_box, key)
        report = await check_connection(
            key, service_config.values(config), state.http, state.settings
        )
    except ServiceNotConfigured as error:
        return ComponentHealth(status="down", detail=error.detail)
    except AppError as error:
        return ComponentHealth(status="down", detail=error.detail)
    status: Status = "degraded" if report.warnings else "ok"
    return ComponentHealth(
        status=status,
        detail="; ".join(report.warnings),
        version=report.version,
        latency_ms=report.latency_ms,
    )


@api.get("/health", summary="The app and each service: ok, degraded or down, with a reason")
async def health(request: Request) -> HealthOut:
    components: dict[str, ComponentHealth] = {}
    try:
        async with request.app.state.db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        components["database"] = ComponentHealth(status="ok")
    except (SQLAlchemyError, OSError) as exc:
        components["database"] = ComponentHealth(status="down", detail=type(exc).__name__)
        return HealthOut(status="down", version=__version__, components=components)
    results = await asyncio.gather(*(service_health(request.app.state, key) for key in SERVICES))
    components.update(zip(SERVICES, results, strict=True))
    overall: Status = "ok" if all(c.status == "ok" for c in results) else "degraded"
    return HealthOut(status=overall, version=__version__, components=components)
