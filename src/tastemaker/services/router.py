"""Settings → Services: the admin API and page for the three service connections."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from tastemaker.auth.deps import AdminUser, DbSession
from tastemaker.errors import AppError
from tastemaker.services import config as service_config
from tastemaker.services.connections import check_connection
from tastemaker.services.definitions import SERVICES, ServiceKey
from tastemaker.services.schemas import (
    ConnectionOut,
    ServicesIn,
    ServicesOut,
    ServiceTestIn,
    service_out,
)
from tastemaker.web import pages

api = APIRouter(prefix="/api/settings/services", tags=["settings"])
router = APIRouter(include_in_schema=False)
PROBLEM: dict[int | str, dict[str, Any]] = {
    status: {"content": {"application/problem+json": {}}}
    for status in (401, 403, 422, 502, 503, 504)
}
ServiceName = Annotated[
    ServiceKey, Path(description="navidrome, lidarr, ollama, listenbrainz or lastfm")
]


async def _all(request: Request, db: DbSession) -> ServicesOut:
    state = request.app.state
    return ServicesOut(
        services=[
            service_out(key, await service_config.load(db, state.settings, state.secret_box, key))
            for key in SERVICES
        ]
    )


@api.get("", responses=PROBLEM, summary="Every service connection (secrets masked)")
async def get_services(request: Request, admin: AdminUser, db: DbSession) -> ServicesOut:
    return await _all(request, db)


@api.put(
    "",
    responses=PROBLEM,
    summary="Change service connections; each changed service is tested before it is saved",
)
async def put_services(
    body: ServicesIn, request: Request, admin: AdminUser, db: DbSession
) -> ServicesOut:
    state = request.app.state
    for key in SERVICES:
        changes = getattr(body, key)
        if changes is None:
            continue
        current = await service_config.load(db, state.settings, state.secret_box, key)
        merged = service_config.merge(current, changes)
        await check_connection(key, merged, state.http, state.settings)
        await service_config.save(db, state.secret_box, key, current, merged, admin)
        state.services.invalidate(key)
        await state.services.check(key)
    return await _all(request, db)


@api.post(
    "/{name}/test", responses=PROBLEM, summary="Test a connection (saved values, or given ones)"
)
async def check_service(
    name: ServiceName,
    request: Request,
    admin: AdminUser,
    db: DbSession,
    body: ServiceTestIn | None = None,
) -> ConnectionOut:
    state = request.app.state
    current = await service_config.load(db, state.settings, state.secret_box, name)
    # One schema serves every service: another service's settings are ignored, not refused.
    own = {field.key for field in SERVICES[name].fields}
    others = {field.key for definition in SERVICES.values() for field in definition.fields} - own
    given = {
        key: value for key, value in (body.values if body else {}).items() if key not in others
    }
    values = service_config.merge(current, given)
    return ConnectionOut.from_report(
        await check_connection(name, values, state.http, state.settings)
    )


# Page


async def _page_context(request: Request, db: DbSession) -> dict[str, Any]:
    return {"services": (await _all(request, db)).services}


@router.get("/settings/services")
async def services_page(request: Request, admin: AdminUser, db: DbSession) -> Response:
    return pages(request).render(
        request, "services/page.html", await _page_context(request, db), nav="services"
    )


@router.post("/settings/services/{name}")
async def services_page_save(
    name: ServiceName, request: Request, admin: AdminUser, db: DbSession
) -> Response:
    """Save from the page: test first, save only when the connection works."""
    form = await request.form()
    state = request.app.state
    action = form.get("action", "save")
    changes = {
        field.key: str(form[field.key]) for field in SERVICES[name].fields if field.key in form
    }
    current = await service_config.load(db, state.settings, state.secret_box, name)
    context: dict[str, Any] = {"active": name, "submitted": changes}
    try:
        merged = service_config.merge(current, changes)
        report = await check_connection(name, merged, state.http, state.settings)
        context["report"] = {name: ConnectionOut.from_report(report)}
        if action == "save":
            await service_config.save(db, state.secret_box, name, current, merged, admin)
            state.services.invalidate(name)
            await state.services.check(name)
            context["saved"] = name
    except AppError as error:
        context["error"] = {name: error.detail}
    context.update(await _page_context(request, db))
    status = 422 if "error" in context else 200
    return pages(request).render(
        request, "services/page.html", context, nav="services", status_code=status
    )
