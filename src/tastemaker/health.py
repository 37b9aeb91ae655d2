"""Health for people and for orchestrators.

- ``GET /api/health``: the app, its database and each service: ok, degraded or down.
- ``GET /api/health/live``: the process answers (liveness; touches nothing else).
- ``GET /api/health/ready``: this process can serve: the database answers and its
  schema is at the migrations' head (readiness; 503 otherwise). It also says whether
  this process runs the background work (``leading``) or another does.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tastemaker import __version__, migrate
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


class LiveOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    status: Literal["ready", "not_ready"]
    database: Literal["ok", "down"]
    detail: str = ""
    schema_revision: str | None = None
    expected_revision: str
    background_work: Literal["leading", "following", "off"]


@cache
def _head_revision() -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config(""))
    return str(script.get_current_head())


@api.get("/health/live", summary="Liveness: the process answers")
async def live() -> LiveOut:
    return LiveOut(status="ok")


@api.get(
    "/health/ready",
    summary="Readiness: the database answers and its schema is up to date (503 when not)",
    responses={503: {"model": ReadyOut}},
)
async def ready(request: Request, response: Response) -> ReadyOut:
    expected = _head_revision()
    leadership = getattr(request.app.state, "leadership", None)
    background: Literal["leading", "following", "off"] = "off"
    if leadership is not None and leadership.running:
        background = "leading" if leadership.is_leader.is_set() else "following"
    try:
        async with request.app.state.db.engine.connect() as connection:
            revision = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()
    except (SQLAlchemyError, OSError) as exc:
        response.status_code = 503
        return ReadyOut(
            status="not_ready",
            database="down",
            detail=f"The database cannot be reached ({type(exc).__name__})",
            expected_revision=expected,
            background_work=background,
        )
    up_to_date = revision == expected
    if not up_to_date:
        response.status_code = 503
    return ReadyOut(
        status="ready" if up_to_date else "not_ready",
        database="ok",
        detail="" if up_to_date else "The schema is not up to date: run `tastemaker db upgrade`",
        schema_revision=revision,
        expected_revision=expected,
        background_work=background,
    )
